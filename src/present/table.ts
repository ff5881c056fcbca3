import { terminalSafe } from './terminalText';

/**
 * A table cell: text (from anywhere, the cluster included), or text with a style we add (a colour).
 * The text is escaped before it is measured or styled, so a cluster string can neither break a row
 * nor carry escape sequences, while our own colours take no width.
 */
export type Cell = string | { text: string; style: (text: string) => string };

function textOf(cell: Cell): string {
  return terminalSafe(typeof cell === 'string' ? cell : cell.text);
}

function styled(cell: Cell, text: string): string {
  return typeof cell === 'string' ? text : cell.style(text);
}

/** Renders rows as kubectl does: upper-case headers, columns padded with three spaces, no borders. */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const texts = rows.map((row) => row.map(textOf));
  const widths = headers.map((header, column) => Math.max(header.length, ...texts.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly Cell[], cellTexts: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const text = cellTexts[column] ?? '';
        const padding = column === cells.length - 1 ? '' : ' '.repeat(Math.max(0, (widths[column] ?? 0) - text.length));
        return styled(cell, text) + padding;
      })
      .join('   ')
      .trimEnd();
  return [line(headers, headers), ...rows.map((row, index) => line(row, texts[index] ?? []))].join('\n') + '\n';
}
