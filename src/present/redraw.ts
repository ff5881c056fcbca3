import type { OutputStream } from '../core/command';

/** Our own colours (SGR sequences): they take no width on the screen. */
const SGR = /\u001b\[[0-9;]*m/g;

/** How many screen rows text takes on a terminal `columns` wide (long lines wrap). */
export function screenRows(text: string, columns: number): number {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(line.replace(SGR, '').length / Math.max(1, columns))), 0);
}

/**
 * Draws text in place on a terminal: each draw first erases what the previous one drew (cursor up
 * that many rows, erase to the end of the screen), as `watch` does. What has scrolled off the
 * top of the screen stays in the scrollback.
 */
export function redrawer(stream: OutputStream): (text: string) => void {
  let rows = 0;
  return (text) => {
    stream.write(`${rows > 0 ? `\r\u001b[${rows}A\u001b[J` : ''}${text}`);
    rows = screenRows(text, stream.columns ?? 80);
  };
}
