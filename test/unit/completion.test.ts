import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFailover } from '../e2e/cliHarness';
import { complete, Directive, formatCompletion, parseWords, type CommandLine, type Lookup } from '../../src/completion/complete';
import { GLOBAL_FLAGS, VERBS } from '../../src/completion/spec';
import type { LookupKind } from '../../src/completion/spec';

/** A lookup answering from a table, recording what it was asked with. */
function fakeLookup(answers: Partial<Record<LookupKind, string[]>>): Lookup & { asked: Array<{ kind: LookupKind; line: CommandLine }> } {
  const asked: Array<{ kind: LookupKind; line: CommandLine }> = [];
  const lookup = async (kind: LookupKind, line: CommandLine): Promise<string[]> => {
    asked.push({ kind, line });
    return answers[kind] ?? [];
  };
  return Object.assign(lookup, { asked });
}

const values = async (words: string[], lookup: Lookup = fakeLookup({})): Promise<string[]> => (await complete(words, lookup)).candidates.map((candidate) => candidate.value);

test('the first word completes to the verbs, with descriptions, no file names', async () => {
  const all = await complete([''], fakeLookup({}));
  assert.equal(
    all.candidates.map((candidate) => candidate.value),
    VERBS.map((verb) => verb.name),
  );
  assert.ok(all.candidates.every((candidate) => candidate.description));
  assert.is(all.directive, Directive.NoFileComp);
  assert.equal(await values(['de']), ['deactivate']);
  // Global flags before the verb do not count as the verb.
  assert.equal(await values(['--context', 'source', '-n', 'zk', 'ac']), ['activate']);
  assert.equal(await values(['-v', '6', 'st']), ['status']);
});

test('flags: long ones after --, short ones too after -, only those of the verb, not given twice unless repeatable', async () => {
  const long = await values(['activate', '--']);
  assert.ok(long.includes('--timeout') && long.includes('--wait') && long.includes('--namespace') && long.includes('--as-group'));
  assert.not.ok(long.includes('--force'), 'activate has no --force');
  assert.not.ok(long.some((flag) => !flag.startsWith('--')));
  assert.ok((await values(['deactivate', '--f'])).includes('--force'));
  const short = await values(['activate', '-']);
  assert.ok(short.includes('-n') && short.includes('-o') && short.includes('--namespace'));
  assert.equal(await values(['status', '--so']), ['--source-context']);
  assert.not.ok((await values(['activate', '--timeout', '1m', '--ti'])).includes('--timeout'));
  assert.equal(await values(['activate', '--as', 'x', '--as-group', 'a', '--as-g']), ['--as-group']);
  const described = await complete(['activate', '--tim'], fakeLookup({}));
  assert.equal(formatCompletion(described), '--timeout\thow long --wait waits\n:4\n');
});

test('flag values: -o and --dry-run choices, --flag=value given bare (as cobra does), a switch as true/false, free values nothing', async () => {
  assert.equal(await values(['activate', '-o', '']), ['table', 'json', 'yaml']);
  assert.equal(await values(['activate', '--output', 'j']), ['json']);
  assert.equal(await values(['activate', '--output=y']), ['yaml']);
  assert.equal(await values(['activate', '-o=j']), [], 'not a flag cobra completes');
  assert.equal(await values(['activate', '--dry-run=']), ['none', 'client', 'server']);
  assert.equal(await values(['activate', '--dry-run', 's']), ['server']);
  assert.equal(await values(['activate', '--wait=f']), ['false']);
  const free = await complete(['activate', '--timeout', ''], fakeLookup({}));
  assert.equal([free.candidates, free.directive], [[], Directive.NoFileComp]);
  // The kubeconfig is a file: the shell completes file names.
  const file = await complete(['--kubeconfig', ''], fakeLookup({}));
  assert.equal([file.candidates, file.directive], [[], Directive.Default]);
  assert.equal(await values(['completion', '']), ['bash', 'zsh', 'fish', 'install']);
});

test('looked-up values: contexts, clusters, users, namespaces, schedule names (the ones given left out), filtered by what is typed', async () => {
  const lookup = fakeLookup({ context: ['source', 'destination', 'source-readonly'], namespace: ['zookeeper', 'kube-system'], schedule: ['daily', 'hourly', 'weekly'], cluster: ['one'], user: ['admin'] });
  assert.equal(await values(['activate', '--context', 'so'], lookup), ['source', 'source-readonly']);
  assert.equal(await values(['status', '--destination-context', 'd'], lookup), ['destination']);
  assert.equal(await values(['--context=d'], lookup), ['destination']);
  assert.equal(await values(['--cluster', ''], lookup), ['one']);
  assert.equal(await values(['--user', ''], lookup), ['admin']);
  assert.equal(await values(['activate', '-n', 'z'], lookup), ['zookeeper']);
  assert.equal(await values(['activate', '-nz'], lookup), [], '-nz is a whole flag with its value');
  assert.equal(await values(['suspend', '-n', 'zookeeper', 'daily', ''], lookup), ['hourly', 'weekly']);
  assert.equal(await values(['activate', ''], lookup), [], 'activate takes no names');
  // The lookup sees the flags typed so far, so it reads the right kubeconfig, context and namespace.
  await values(['--kubeconfig', '/tmp/kc', 'suspend', '--context=source', '-n', 'zk', '--as', 'me', '--as-group', 'a', '--as-group', 'b', ''], lookup);
  const last = lookup.asked.at(-1);
  assert.is(last?.kind, 'schedule');
  assert.equal(Object.fromEntries(last?.line.flags ?? []), { kubeconfig: ['/tmp/kc'], context: ['source'], namespace: ['zk'], as: ['me'], 'as-group': ['a', 'b'] });
});

test('run, failback and undo: --from/--to complete as their long names, -m to schedules, --resume and undo to run IDs', async () => {
  const lookup = fakeLookup({ context: ['source', 'destination'], schedule: ['zk-dr'], run: ['20261125-1200-ab12'] });
  assert.equal(await values(['run', '--fr'], lookup), ['--from']);
  assert.equal(await values(['run', '--to', 'd'], lookup), ['destination']);
  assert.equal(await values(['failback', '--from=s'], lookup), ['source']);
  const afterAlias = await values(['run', '--to', 'destination', '--'], lookup);
  assert.not.ok(afterAlias.includes('--destination-context') || afterAlias.includes('--to'), '--to given: neither name is offered again');
  assert.equal(await values(['run', '--to', 'destination', '-m', ''], lookup), ['zk-dr']);
  assert.equal(lookup.asked.at(-1)?.line.flags.get('destination-context'), ['destination'], 'the alias is recorded under the long name');
  assert.equal(await values(['run', '--resume', ''], lookup), ['20261125-1200-ab12']);
  assert.equal(await values(['undo', ''], lookup), ['20261125-1200-ab12']);
  assert.equal(await values(['activate', '--include-namespaces', 'z'], fakeLookup({ namespace: ['zookeeper', 'kafka'] })), ['zookeeper']);
});

test('after --, words are positional; -Av bundles switches; -v takes a level', () => {
  assert.equal(parseWords(['suspend', '--', '-x', '']).line.positionals, ['-x']);
  const bundled = parseWords(['-Av', 'status', '']).line;
  assert.equal([bundled.verb?.name, [...bundled.flags.keys()]], ['status', ['all-namespaces', 'verbose']]);
  assert.is(parseWords(['-v', '6', 'status', '']).line.verb?.name, 'status');
  assert.is(parseWords(['-v=6', 'status', '']).line.verb?.name, 'status');
});

test('the completion table names exactly the flags each verb shows in --help (no drift from the yargs definitions)', async () => {
  const helpFlags = (text: string): string[] => [...text.matchAll(/^ {2}(?:-\w, | {4})--([\w-]+)/gm)].map((match) => match[1] ?? '').sort();
  const specFlags = (names: string[]): string[] => names.map((name) => (name === 'no-color' ? 'color' : name)).sort();
  const root = await runFailover(['--help'], {});
  assert.equal(helpFlags(root.stdout), specFlags(GLOBAL_FLAGS.map((flag) => flag.name)));
  const verbsInHelp = [...root.stdout.matchAll(/^ {2}kubectl failover (\w+)/gm)].map((match) => match[1]);
  assert.equal(verbsInHelp, VERBS.map((verb) => verb.name));
  for (const verb of VERBS) {
    const help = await runFailover([verb.name, '--help'], {});
    assert.equal(helpFlags(help.stdout), specFlags([...GLOBAL_FLAGS, ...verb.flags].map((flag) => flag.name)), verb.name);
    // Short names agree too.
    for (const flag of [...GLOBAL_FLAGS, ...verb.flags].filter((candidate) => candidate.short)) {
      assert.match(help.stdout, `-${flag.short}, --${flag.name}`, `${verb.name} -${flag.short}`);
    }
  }
});

test('__complete through the CLI, and the kubectl_complete-failover name, answer in cobra format and exit 0', async () => {
  const direct = await runFailover(['__complete', 'activate', '--output', ''], {});
  assert.equal([direct.code, direct.stdout, direct.stderr], [0, 'table\njson\nyaml\n:4\n', '']);
  let stdout = '';
  const { runCli } = await import('../../src/cli/app');
  const code = await runCli(['st'], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {}, argv0: '/home/me/.krew/bin/kubectl_complete-failover' });
  assert.equal([code, stdout], [0, "status\teach namespace's DR state (read-only)\n:4\n"]);
  // A broken kubeconfig: no candidates, still no error line.
  const broken = await runFailover(['__complete', '--context', ''], { KUBECONFIG: '/nonexistent/kubeconfig' });
  assert.equal([broken.code, broken.stdout, broken.stderr], [0, ':4\n', '']);
});

test.run();
