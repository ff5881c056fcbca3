/**
 * Strings from the cluster (names, annotation values, a server's error text) reach a terminal only
 * through here: a newline would forge a table row, an escape sequence would drive the terminal
 * (move the cursor, retitle the window, hide text), a bidirectional override would reorder what is
 * shown. They are written out as visible escapes instead. `-o json|yaml` is not touched: both
 * formats escape these characters themselves and stay exact.
 */

/** C0 controls, DEL, C1 controls, the Unicode line/paragraph separators and bidirectional controls. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(char: string): string {
  return NAMED[char] ?? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/** One line of text safe to print: every control character written as a visible escape (\n, \u001b). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

