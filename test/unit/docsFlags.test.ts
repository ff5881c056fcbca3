import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFailover } from '../e2e/cliHarness';
import { RESULT_TOKENS } from '../../src/core/report';
import { FINDING_CODES } from '../../src/failover/findings';

// The docs stay true to the code: docs/flags.md lists exactly the flags `--help` lists, verb by verb;
// the README stays a front page (short, every docs/ page linked, links that resolve); the test command
// the README gives is the one CI runs.

const README = 'README.md';
const FLAGS_PAGE = 'docs/flags.md';
const MAX_README_LINES = 200;

/** One flag as `--help` prints it: `-m, --migration-schedule, --migration-reference`. */
interface HelpFlag {
  longs: string[];
  short?: string;
}

/** The flags of a help text: its flag column (`  -n, --namespace`, `      --source-context, --from`). */
function helpFlags(text: string): HelpFlag[] {
  return [...text.matchAll(/^ {2}(?:-(\w), | {4})(--[\w-]+(?:, --[\w-]+)*)/gm)].map((match) => ({
    longs: (match[2] ?? '').split(', ').map((name) => name.slice(2)),
    ...(match[1] ? { short: match[1] } : {}),
  }));
}

/** One row of a flags table: the names in its first cell. */
interface DocFlag {
  longs: Set<string>;
  shorts: Set<string>;
  row: string;
}

interface FlagSection {
  heading: string;
  /** The verbs its heading names in backticks (`run` and `failback`); none for the global section. */
  verbs: string[];
  global: boolean;
  rows: DocFlag[];
}

/** The first cell of each table row (header and separator rows left out). */
function firstCells(body: string): string[] {
  const cells: string[] = [];
  for (const line of body.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-+\s*\|/.test(line)) continue;
    const cell = line.slice(1).split(/(?<!\\)\|/)[0]?.trim() ?? '';
    if (cell === 'flag') continue;
    cells.push(cell);
  }
  return cells;
}

function docFlag(cell: string): DocFlag {
  const longs = new Set([...cell.matchAll(/(?<![\w-])--([a-z][\w-]*)/g)].map((match) => match[1] ?? ''));
  const shorts = new Set([...cell.matchAll(/(?<![\w-])-([A-Za-z])(?![\w-])/g)].map((match) => match[1] ?? ''));
  return { longs, shorts, row: cell };
}

function flagSections(markdown: string, verbs: readonly string[]): FlagSection[] {
  return markdown
    .split(/^(?=## )/m)
    .filter((part) => part.startsWith('## '))
    .map((part) => {
      const heading = part.slice(3, part.indexOf('\n')).trim();
      const named = [...heading.matchAll(/`([\w-]+)`/g)].map((match) => match[1] ?? '');
      return { heading, verbs: named.filter((name) => verbs.includes(name)), global: /^Global flags/.test(heading), rows: firstCells(part).map(docFlag) };
    });
}

/** A doc row's names against --help's: `--no-color` is `--color` negated. */
function normalise(name: string, known: ReadonlySet<string>): string {
  return name.startsWith('no-') && known.has(name.slice(3)) ? name.slice(3) : name;
}

/** Every flag --help lists is in one row of the tables, with its aliases and short name; every name in the tables is in --help. */
function assertTablesMatchHelp(where: string, help: HelpFlag[], rows: DocFlag[]): void {
  const helpLongs = new Set(help.flatMap((flag) => flag.longs));
  const helpShorts = new Set(help.flatMap((flag) => (flag.short ? [flag.short] : [])));
  const docLongs = rows.map((row) => new Set([...row.longs].map((name) => normalise(name, helpLongs))));
  for (const flag of help) {
    const index = docLongs.findIndex((longs) => longs.has(flag.longs[0] ?? ''));
    assert.ok(index >= 0, `${where}: --${flag.longs[0]} is in --help but not in ${FLAGS_PAGE}'s table`);
    const row = rows[index];
    for (const alias of flag.longs) assert.ok(docLongs[index]?.has(alias), `${where}: --${flag.longs[0]}'s row does not name its alias --${alias} (row: ${row?.row})`);
    if (flag.short) assert.ok(row?.shorts.has(flag.short), `${where}: --${flag.longs[0]}'s row does not name its short form -${flag.short} (row: ${row?.row})`);
  }
  rows.forEach((row, index) => {
    for (const name of docLongs[index] ?? []) assert.ok(helpLongs.has(name), `${where}: ${FLAGS_PAGE} lists --${name}, which --help does not (row: ${row.row})`);
    for (const short of row.shorts) assert.ok(helpShorts.has(short), `${where}: ${FLAGS_PAGE} lists -${short}, which --help does not (row: ${row.row})`);
  });
}

test(`${FLAGS_PAGE}: the global table holds exactly the flags every verb shares, each verb's table exactly the rest of its --help`, async () => {
  const root = await runFailover(['--help'], {});
  assert.is(root.code, 0);
  const verbs = [...root.stdout.matchAll(/^ {2}kubectl failover ([\w-]+)/gm)].map((match) => match[1] ?? '');
  assert.ok(verbs.length >= 10, `verbs read from --help: ${verbs.join(', ')}`);
  const globalHelp = helpFlags(root.stdout);
  const sections = flagSections(readFileSync(FLAGS_PAGE, 'utf8'), verbs);
  const globals = sections.filter((section) => section.global);
  assert.is(globals.length, 1, `${FLAGS_PAGE} has one "## Global flags" section`);
  assertTablesMatchHelp('global flags', globalHelp, globals[0]?.rows ?? []);

  const globalLongs = new Set(globalHelp.flatMap((flag) => flag.longs));
  for (const verb of verbs) {
    const help = await runFailover([verb, '--help'], {});
    assert.is(help.code, 0, `${verb} --help`);
    const flags = helpFlags(help.stdout);
    // Every verb shows the global flags too.
    for (const name of globalLongs) assert.ok(flags.some((flag) => flag.longs.includes(name)), `${verb} --help lacks the global --${name}`);
    const own = flags.filter((flag) => !flag.longs.some((name) => globalLongs.has(name)));
    const mine = sections.filter((section) => section.verbs.includes(verb));
    assert.is(mine.length, 1, `${FLAGS_PAGE} has one "## " section naming \`${verb}\` (found ${mine.length})`);
    assertTablesMatchHelp(verb, own, mine[0]?.rows ?? []);
  }
});

test('README.md stays a front page: at most 200 lines, every docs/ page linked', () => {
  const readme = readFileSync(README, 'utf8');
  const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
  assert.ok(lines <= MAX_README_LINES, `README.md has ${lines} lines (at most ${MAX_README_LINES}): move the detail to a page under docs/`);
  const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((match) => match[1]));
  for (const page of readdirSync('docs').filter((file) => file.endsWith('.md'))) assert.ok(linked.has(`docs/${page}`), `README.md does not link docs/${page}`);
});

/** GitHub's heading anchor: lower case, punctuation dropped (hyphens kept), spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchor(match[1] ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

test('every relative link in README.md and docs/*.md resolves: the file exists, and so does the heading it names', () => {
  const pages = [README, ...readdirSync('docs').filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];
  for (const page of pages) {
    const text = readFileSync(page, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] ?? '';
      if (/^[a-z]+:/.test(target)) continue;
      const [file = '', hash] = target.split('#');
      const resolved = file === '' ? page : path.join(path.dirname(page), file);
      assert.ok(existsSync(resolved), `${page} links ${target}: ${resolved} does not exist`);
      if (hash !== undefined && resolved.endsWith('.md')) assert.ok(anchors(readFileSync(resolved, 'utf8')).has(hash), `${page} links ${target}: ${resolved} has no heading #${hash}`);
    }
  }
});

test('the test command the README gives is the one .ci/run runs: npm test', () => {
  const readme = readFileSync(README, 'utf8');
  assert.match(readme, /^npm test\b/m);
  const commands = readFileSync('.ci/run', 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  assert.is(commands.at(-1), 'npm test', '.ci/run ends with exactly `npm test`');
  assert.is((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.test, 'node scripts/test.mjs');
});

test('every finding code and object result the code knows is documented', () => {
  const statusCheck = readFileSync('docs/status-check.md', 'utf8');
  for (const code of FINDING_CODES) assert.ok(statusCheck.includes(`| \`${code}\` |`), `docs/status-check.md's finding codes lack ${code}`);
  const scripting = readFileSync('docs/scripting.md', 'utf8');
  for (const token of RESULT_TOKENS) assert.ok(scripting.includes(`| \`${token}\` |`), `docs/scripting.md's results lack ${token}`);
});

test.run();
