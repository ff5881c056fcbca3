/** ANSI colours, applied only when the command context decided colour is on. */
export interface Palette {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export function palette(enabled: boolean): Palette {
  if (!enabled) {
    const plain = (text: string): string => text;
    return { red: plain, green: plain, yellow: plain, cyan: plain, bold: plain, dim: plain };
  }
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}
