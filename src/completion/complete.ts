import { GLOBAL_FLAGS, VERBS, type FlagSpec, type LookupKind, type ValueKind, type VerbSpec } from './spec';

/**
 * Shell completion, answered the way cobra's hidden `__complete` command answers it, because that
 * is what kubectl (1.26 and later) expects of a `kubectl_complete-<plugin>` executable: it runs it
 * with the words typed after the plugin's name, the last one being the word to complete (possibly
 * empty), and reads one candidate per line (`value<TAB>description`), then `:<directive>`.
 * Parsing the words and choosing candidates is pure; reading contexts, namespaces and schedules is
 * handed in as `lookup`.
 */

/** cobra's ShellCompDirective bits (spf13/cobra completions.go); kubectl passes them through to the shell. */
export const Directive = {
  Default: 0,
  Error: 1,
  NoSpace: 2,
  NoFileComp: 4,
  FilterFileExt: 8,
  FilterDirs: 16,
  KeepOrder: 32,
} as const;

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  directive: number;
}

/** The words before the one being completed, as far as completion cares. */
export interface CommandLine {
  verb?: VerbSpec;
  /** Flag values by long name, in order ('' for a switch). */
  flags: Map<string, string[]>;
  /** Positional arguments after the verb. */
  positionals: string[];
}

/** What the word being completed is. */
export type Target =
  | { kind: 'verb'; prefix: string }
  | { kind: 'flag'; prefix: string }
  | { kind: 'value'; value: ValueKind | undefined; prefix: string };

export type Lookup = (kind: LookupKind, line: CommandLine) => Promise<string[]>;

const LEVEL = /^\d+$/;

/** Reads the words typed so far (the last is the one being completed) into a command line and a target. */
export function parseWords(words: readonly string[]): { line: CommandLine; target: Target } {
  const line: CommandLine = { flags: new Map(), positionals: [] };
  const record = (flag: FlagSpec, value: string): void => void line.flags.set(flag.name, [...(line.flags.get(flag.name) ?? []), value]);
  const done = words.slice(0, -1);
  const current = words[words.length - 1] ?? '';
  let pending: FlagSpec | undefined;
  let flagsEnded = false;
  const positional = (word: string): void => {
    if (line.verb === undefined && line.positionals.length === 0) {
      const verb = VERBS.find((candidate) => candidate.name === word);
      if (verb) {
        line.verb = verb;
        return;
      }
    }
    line.positionals.push(word);
  };

  for (let index = 0; index < done.length; index++) {
    const word = done[index] ?? '';
    if (pending) {
      record(pending, word);
      pending = undefined;
    } else if (flagsEnded || word === '-' || !word.startsWith('-')) {
      positional(word);
    } else if (word === '--') {
      flagsEnded = true;
    } else {
      const parsed = parseFlagWord(word, line.verb);
      for (const [flag, value] of parsed.values) record(flag, value);
      pending = parsed.pending;
      // -v 6: the level is the verbosity's, not a verb.
      if (parsed.values.some(([flag, value]) => flag.name === 'verbose' && value === '') && LEVEL.test(done[index + 1] ?? '')) index += 1;
    }
  }

  if (pending) return { line, target: { kind: 'value', value: pending.value, prefix: current } };
  if (flagsEnded || current === '' || !current.startsWith('-')) {
    if (!line.verb && line.positionals.length === 0) return { line, target: { kind: 'verb', prefix: current } };
    return { line, target: { kind: 'value', value: line.verb?.args, prefix: current } };
  }
  const assigned = /^--([^=]+)=(.*)$/.exec(current);
  if (assigned) {
    const flag = findFlag(assigned[1] ?? '', line.verb);
    // A switch may be spelled --wait=false.
    const value: ValueKind | undefined = flag ? (flag.value ?? { choices: ['true', 'false'] }) : undefined;
    return { line, target: { kind: 'value', value, prefix: assigned[2] ?? '' } };
  }
  return { line, target: { kind: 'flag', prefix: current } };
}

/** One flag word: --name, --name=value, --no-name, -n, -nvalue, -n=value, -Av. */
function parseFlagWord(word: string, verb: VerbSpec | undefined): { values: Array<[FlagSpec, string]>; pending?: FlagSpec } {
  if (word.startsWith('--')) {
    const [name = '', ...rest] = word.slice(2).split('=');
    const inline = rest.length > 0 ? rest.join('=') : undefined;
    const flag = findFlag(name, verb) ?? findFlag(`no-${name}`, verb) ?? (name.startsWith('no-') ? findFlag(name.slice(3), verb) : undefined);
    if (!flag) return { values: [] };
    if (flag.value && inline === undefined) return { values: [], pending: flag };
    return { values: [[flag, inline ?? '']] };
  }
  const values: Array<[FlagSpec, string]> = [];
  const letters = word.slice(1);
  for (let index = 0; index < letters.length; index++) {
    const flag = allFlags(verb).find((candidate) => candidate.short === letters[index]);
    if (!flag) break;
    if (!flag.value && flag.name !== 'verbose') {
      values.push([flag, '']);
      continue;
    }
    const rest = letters.slice(index + 1).replace(/^=/, '');
    if (flag.name === 'verbose') {
      values.push([flag, rest]);
      break;
    }
    if (rest !== '') values.push([flag, rest]);
    else return { values, pending: flag };
    break;
  }
  return { values };
}

function allFlags(verb: VerbSpec | undefined): readonly FlagSpec[] {
  return verb ? [...GLOBAL_FLAGS, ...verb.flags] : GLOBAL_FLAGS;
}

function findFlag(name: string, verb: VerbSpec | undefined): FlagSpec | undefined {
  return allFlags(verb).find((flag) => flag.name === name || (flag.aliases ?? []).includes(name));
}

/** The candidates for the word being completed; values the cluster holds come from `lookup`. */
export async function complete(words: readonly string[], lookup: Lookup): Promise<Completion> {
  const { line, target } = parseWords(words);
  const matching = (candidates: Candidate[]): Candidate[] => candidates.filter((candidate) => candidate.value.startsWith(target.prefix));
  switch (target.kind) {
    case 'verb':
      return { candidates: matching(VERBS.map((verb) => ({ value: verb.name, description: verb.description }))), directive: Directive.NoFileComp };
    case 'flag':
      return { candidates: matching(flagCandidates(line, target.prefix)), directive: Directive.NoFileComp };
    case 'value': {
      const value = target.value;
      if (value === undefined || value === 'free') return { candidates: [], directive: Directive.NoFileComp };
      // The shell completes file names itself.
      if (value === 'file') return { candidates: [], directive: Directive.Default };
      if ('choices' in value) return { candidates: matching(value.choices.map((choice) => ({ value: choice }))), directive: Directive.NoFileComp };
      const given = value.lookup === 'schedule' ? new Set(line.positionals) : new Set<string>();
      const names = (await lookup(value.lookup, line)).filter((name) => !given.has(name));
      return { candidates: matching([...new Set(names)].sort().map((name) => ({ value: name }))), directive: Directive.NoFileComp };
    }
  }
}

/** Flags not given yet (repeatable ones always): long names, and short ones too when the word is a single dash, as cobra offers them. */
function flagCandidates(line: CommandLine, prefix: string): Candidate[] {
  const candidates: Candidate[] = [];
  for (const flag of allFlags(line.verb)) {
    if (line.flags.has(flag.name) && !flag.repeatable) continue;
    if (flag.short && !prefix.startsWith('--')) candidates.push({ value: `-${flag.short}`, description: flag.description });
    candidates.push({ value: `--${flag.name}`, description: flag.description });
    for (const alias of flag.aliases ?? []) candidates.push({ value: `--${alias}`, description: flag.description });
  }
  return candidates;
}

/** The answer as cobra's `__complete` prints it: one `value<TAB>description` per line, then `:<directive>`. */
export function formatCompletion(completion: Completion): string {
  const lines = completion.candidates.map((candidate) => (candidate.description ? `${candidate.value}\t${candidate.description}` : candidate.value));
  return `${[...lines, `:${completion.directive}`].join('\n')}\n`;
}
