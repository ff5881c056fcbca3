// `--help` rendered at build time. Rendering it means compiling the whole CLI (yargs and every
// verb), which cost three times a bare `node -e 0`; the binary instead carries the texts the build
// rendered with that very code, for the widths a pipe (120) and the common terminal (80) get. Any
// other width, or a source checkout (no build), renders them with yargs.

declare const KF_PREBUILT_HELP: Readonly<Record<string, string>> | undefined;

/** yargs wraps help at the terminal's width, at most 120 columns (120 when it is not a terminal). */
export function helpWidth(columns: number | undefined): number {
  return Math.min(120, columns ?? 120);
}

/** The widths the build renders help for. */
export const PREBUILT_HELP_WIDTHS = [80, 120] as const;

/** The key of one help text: its width and the verb ('' for the top level). */
export function helpKey(width: number, verb: string): string {
  return `${width}:${verb}`;
}

/**
 * The help the words ask for, if the build rendered it: none, `--help` or `-h` alone, or one verb
 * followed by either. Anything else (more words, a flag before the verb) goes through yargs.
 */
export function prebuiltHelp(words: readonly string[], columns: number | undefined, texts = typeof KF_PREBUILT_HELP === 'object' ? KF_PREBUILT_HELP : undefined): string | undefined {
  if (!texts) return undefined;
  const isHelp = (word: string | undefined): boolean => word === '--help' || word === '-h';
  let verb: string | undefined;
  if (words.length === 0 || (words.length === 1 && isHelp(words[0]))) verb = '';
  else if (words.length === 2 && isHelp(words[1]) && /^[a-z]+$/.test(words[0] ?? '')) verb = words[0];
  if (verb === undefined) return undefined;
  return texts[helpKey(helpWidth(columns), verb)];
}
