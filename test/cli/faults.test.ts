import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFailover } from '../e2e/cliHarness';
import { closedPort, listen, writeKubeconfig } from '../support/kubeconfig';

// Faults a real API server cannot produce on demand: a server that never answers, one that
// closes connections, one that is not Kubernetes. All on loopback.

function kubeconfigFor(server: string, token = 'secret-token-value'): string {
  // client-node refuses plain http unless the kubeconfig says to skip TLS verification.
  const cluster = { server, ...(server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) };
  return writeKubeconfig({ name: 'fault', cluster, user: { token }, namespace: 'zookeeper' });
}

// The first run loads the Kubernetes client library (seconds on a busy machine under tsx): load it
// before any test that bounds how long a run takes, so the bound measures the run alone.
test.before(async () => {
  await import('@kubernetes/client-node');
});

/** Servers to close when the tests end, whatever their assertions did. */
const openServers: net.Server[] = [];
test.after(() => {
  for (const server of openServers) server.close();
});

test('a server that never answers: bounded by --request-timeout, one line naming the URL, exit 1', async () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  const port = await listen(silent);
  // Load the lazily imported modules first: on a busy machine loading them can take longer than the bound, which is about the request.
  await runFailover(['activate', '--kubeconfig', kubeconfigFor(`https://127.0.0.1:${await closedPort()}`)], {});
  const started = Date.now();
  const run = await runFailover(['activate', '--request-timeout', '1s', '--kubeconfig', kubeconfigFor(`https://127.0.0.1:${port}`)], {});
  const elapsed = Date.now() - started;
  sockets.forEach((socket) => socket.destroy());
  silent.close();
  assert.is(run.code, 1);
  assert.match(run.stderr, `error: cannot reach the API server https://127.0.0.1:${port}: no answer within 1s (--request-timeout)`);
  assert.is(run.stdout, '');
  assert.ok(elapsed < 20_000, `gave up after ${elapsed} ms`);
});

test('completion against a server that never answers: no candidates, no error, and it ends (the look-up gives up after 2s)', async () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  const port = await listen(silent);
  const started = Date.now();
  const run = await runFailover(['__complete', 'activate', '--kubeconfig', kubeconfigFor(`https://127.0.0.1:${port}`), '-n', ''], {});
  const elapsed = Date.now() - started;
  sockets.forEach((socket) => socket.destroy());
  silent.close();
  assert.equal([run.code, run.stdout, run.stderr], [0, ':4\n', '']);
  assert.ok(sockets.length > 0, 'the look-up did try the server');
  assert.ok(elapsed < 20_000, `gave up after ${elapsed} ms`);
});

test('nothing listening on the port: "connection refused" naming the URL, exit 1', async () => {
  const port = await closedPort();
  const run = await runFailover(['activate', '--kubeconfig', kubeconfigFor(`https://127.0.0.1:${port}`)], {});
  assert.is(run.code, 1);
  assert.match(run.stderr, `error: cannot reach the API server https://127.0.0.1:${port}: connection refused\n`);
  assert.is(run.stdout, '');
});

test('a server name that does not resolve: "DNS lookup failed" naming the host, exit 1', async () => {
  // .invalid is reserved (RFC 2606): it never resolves, whatever the resolver.
  const run = await runFailover(['activate', '--request-timeout', '60s', '--kubeconfig', kubeconfigFor('https://kf-test.invalid:6443')], {});
  assert.is(run.code, 1);
  assert.match(run.stderr, 'error: cannot reach the API server https://kf-test.invalid:6443: DNS lookup failed for kf-test.invalid\n');
});

test('a server that resets connections: one line, exit 1', async () => {
  const rude = net.createServer((socket) => socket.destroy());
  const port = await listen(rude);
  const run = await runFailover(['activate', '--kubeconfig', kubeconfigFor(`http://127.0.0.1:${port}`)], {});
  rude.close();
  assert.is(run.code, 1);
  assert.match(run.stderr, new RegExp(`error: cannot reach the API server http://127.0.0.1:${port}: (connection reset|socket hang up)`));
});

test('a load balancer answering its HTML 502 page: the status line and the start of the page, one line, exit 1', async () => {
  const proxy = http.createServer((_request, response) => {
    response.writeHead(502, { 'Content-Type': 'text/html' });
    // nginx's page: its first line alone ("<html>") says nothing.
    response.end('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
  });
  const port = await listen(proxy);
  openServers.push(proxy);
  const run = await runFailover(['activate', '-v', '--kubeconfig', kubeconfigFor(`http://127.0.0.1:${port}`)], {});
  assert.is(run.code, 1);
  assert.equal(run.stderr.split('\n').filter((line) => line.startsWith('error:')), ['error: 502 Bad Gateway (not a Kubernetes answer: "<html> <head><title>502 Bad Gateway</title></head> <body> <c…")']);
  assert.not.match(run.stderr, /\n\s+at /);
  assert.is(run.stdout, '');
});

test('a non-Kubernetes server answering 200 with a page (a login portal): one clear line, not a raw parse error, exit 1', async () => {
  const portal = http.createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Corporate login</body></html>\n');
  });
  const port = await listen(portal);
  // An open server would keep the test process alive after a failed assertion.
  openServers.push(portal);
  for (const verb of [['activate'], ['suspend'], ['status']]) {
    const run = await runFailover([...verb, '-v', '--kubeconfig', kubeconfigFor(`http://127.0.0.1:${port}`)], {});
    assert.is(run.code, 1, verb[0]);
    assert.equal(
      run.stderr.split('\n').filter((line) => line.startsWith('error:')),
      [`error: the server http://127.0.0.1:${port} is not a Kubernetes API server: it answered GET /apis with 200 and a body that is not JSON ("<!DOCTYPE html> <html><head><title>Sign in</title></head><bo…")`],
      verb[0],
    );
    // -v prints stack traces for unexpected errors only: this one is fully said in its line.
    assert.not.match(run.stderr, /TypeError|SyntaxError|\n\s+at /, verb[0]);
    assert.is(run.stdout, '');
  }
});

test('tokens never appear in error messages, even when the server echoes the credentials in its error body', async () => {
  const token = 'secret-token-value-8c1e';
  // What the server answers, with the Authorization header it received in the body.
  const answers: Array<{ status: number; type: string; body: (authorization: string) => string }> = [
    { status: 401, type: 'application/json', body: (auth) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: `invalid bearer token ${auth}` }) },
    { status: 401, type: 'text/plain', body: (auth) => `401 denied: ${auth}\n` },
    { status: 403, type: 'application/json', body: (auth) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: `forbidden for ${auth}` }) },
    { status: 500, type: 'application/json', body: (auth) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: `internal error handling "${auth}"` }) },
    { status: 502, type: 'text/html', body: (auth) => `<html>Bad Gateway (${auth})</html>\n` },
    { status: 200, type: 'text/html', body: (auth) => `<html>Session ${auth} expired</html>\n` },
  ];
  const users: Array<{ user: Record<string, unknown>; secrets: string[] }> = [
    { user: { token }, secrets: [token] },
    { user: { username: 'admin', password: 'hunter2-secret' }, secrets: ['hunter2-secret', Buffer.from('admin:hunter2-secret').toString('base64')] },
  ];
  for (const answer of answers) {
    const server = http.createServer((request, response) => {
      response.writeHead(answer.status, { 'Content-Type': answer.type });
      response.end(answer.body(String(request.headers.authorization)));
    });
    const port = await listen(server);
    openServers.push(server);
    for (const { user, secrets } of users) {
      const file = writeKubeconfig({ name: 'echo', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true }, user, namespace: 'zookeeper' });
      for (const args of [['activate', '-v'], ['status', '-o', 'json'], ['suspend', '-A', '-v']]) {
        const run = await runFailover([...args, '--kubeconfig', file], {});
        const what = `${answer.status} ${answer.type} ${Object.keys(user).join('+')}: ${args.join(' ')}`;
        assert.is(run.code, 1, what);
        for (const secret of secrets) assert.not.match(run.stdout + run.stderr, secret, what);
        // The rest of the server's message is kept: only the credential is taken out.
        assert.match(run.stderr, /^error: .*\[redacted\]/m, what);
      }
    }
  }
});

test('unknown flag value and unknown flag: usage errors, exit 2', async () => {
  const badValue = await runFailover(['activate', '--dry-run=maybe'], {});
  assert.is(badValue.code, 2);
  assert.is(badValue.stderr, 'error: invalid --dry-run "maybe": use one of none, client, server\n');
  const badOutput = await runFailover(['activate', '-o', 'xml'], {});
  assert.is(badOutput.code, 2);
  assert.is(badOutput.stderr, 'error: invalid --output "xml": use one of table, json, yaml\n');
  const unknown = await runFailover(['activate', '--replicas=3'], {});
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /^error: Unknown arguments?: replicas/);
  const badTimeout = await runFailover(['activate', '--timeout', 'soon'], { KUBECONFIG: kubeconfigFor('https://127.0.0.1:1') });
  assert.is(badTimeout.code, 2);
  assert.is(badTimeout.stderr, 'error: invalid --timeout "soon": use a duration such as 0, 90s, 5m or 1h\n');
});

test('usage errors caught before any request (a value flag with no value, a flag that does not apply): one line, exit 2', async () => {
  // The kubeconfig points nowhere reachable: reaching it would be a different error (exit 1).
  const env = { KUBECONFIG: kubeconfigFor('https://127.0.0.1:1') };
  for (const [args, expected] of [
    [['deactivate', '-n'], 'error: Not enough arguments following: n'],
    [['deactivate', '-n', '--force'], 'error: Not enough arguments following: n'],
    [['activate', '--context'], 'error: Not enough arguments following: context'],
    [['activate', '-n', 'zk', '--timeout'], 'error: Not enough arguments following: timeout'],
    [['suspend', '-l'], 'error: Not enough arguments following: l'],
    [['deactivate', '-n', ''], 'error: --namespace needs a non-empty value'],
    [['activate', '--context='], 'error: --context needs a non-empty value'],
    [['status', '--dry-run=server'], 'error: status is read-only: --dry-run does not apply to it'],
  ] as const) {
    const run = await runFailover(args, env);
    assert.is(run.code, 2, args.join(' '));
    assert.is(run.stderr.split('\n')[0], expected, args.join(' '));
    // One error line; yargs' own checks add kubectl's usual pointer to --help.
    assert.equal(run.stderr.trimEnd().split('\n').slice(1).filter((line) => line !== "See 'kubectl failover --help'."), [], args.join(' '));
    assert.is(run.stdout, '');
  }
});

test('nothing at all: the help, exit 0; flags but no verb: a usage error naming the verbs; --help and --version: exit 0 on stdout', async () => {
  const none = await runFailover([], {});
  assert.is(none.code, 0);
  assert.match(none.stdout, 'kubectl failover <command> [flags]');
  assert.match(none.stdout, 'kubectl failover version');
  assert.is(none.stderr, '');
  const flagsOnly = await runFailover(['--context', 'x'], {});
  assert.is(flagsOnly.code, 2);
  assert.is(flagsOnly.stderr, "error: name a command: run, failback, check, undo, runs, activate, deactivate, suspend, resume, status, version, completion (see 'kubectl failover --help')\n");
  const unknown = await runFailover(['failover'], {});
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /^error: Unknown argument: failover/);
  assert.is(unknown.stdout, '');
  const help = await runFailover(['--help'], {});
  assert.is(help.code, 0);
  assert.match(help.stdout, 'kubectl failover <command>');
  assert.match(help.stdout, 'kubectl failover activate');
  assert.is(help.stderr, '');
  const version = await runFailover(['--version'], {});
  assert.is(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('missing kubeconfig: one line, exit 2', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-home-'));
  const run = await runFailover(['activate'], { HOME: dir });
  assert.is(run.code, 2);
  assert.is(run.stderr, `error: no kubeconfig found: ${path.join(dir, '.kube', 'config')} does not exist (set KUBECONFIG or pass --kubeconfig)\n`);
});

test('an empty file among KUBECONFIG\'s files is skipped; certificate-authority-data that is not base64 or not PEM says so (exit 2)', async () => {
  const port = await closedPort();
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-empty-'));
  const empty = path.join(dir, 'empty');
  writeFileSync(empty, '');
  const good = kubeconfigFor(`https://127.0.0.1:${port}`);
  const skipped = await runFailover(['activate'], { KUBECONFIG: `${empty}${path.delimiter}${good}` });
  assert.is(skipped.code, 1);
  assert.match(skipped.stderr, 'connection refused');
  assert.not.match(skipped.stderr, 'Cannot read properties');
  for (const [data, expected] of [
    ['%%% not base64 %%%', 'error: cluster "fault" in the kubeconfig: certificate-authority-data is not base64\n'],
    [Buffer.from('not a certificate').toString('base64'), 'error: cluster "fault" in the kubeconfig: certificate-authority-data holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)\n'],
  ] as const) {
    const kubeconfig = writeKubeconfig({ name: 'fault', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': data }, user: { token: 't' } });
    const run = await runFailover(['activate', '--kubeconfig', kubeconfig], {});
    assert.is(run.code, 2);
    assert.is(run.stderr, expected);
  }
});

test.run();
