import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { noProxyMatches, proxyFor } from '../../src/kube/proxy';

const server = new URL('https://api.prod.example.com:6443');

test("proxyFor: the cluster's proxy-url wins over the environment, even over NO_PROXY", () => {
  const env = { HTTPS_PROXY: 'http://env-proxy:3128', NO_PROXY: '*' };
  assert.is(proxyFor(server, 'http://cluster-proxy:8080', env), 'http://cluster-proxy:8080');
  assert.is(proxyFor(new URL('https://127.0.0.1:6443'), 'socks5://127.0.0.1:1080', {}), 'socks5://127.0.0.1:1080');
});

test('proxyFor: HTTPS_PROXY (either case) for https servers, HTTP_PROXY for http ones; none without them', () => {
  assert.is(proxyFor(server, undefined, { HTTPS_PROXY: 'http://upper:3128' }), 'http://upper:3128');
  assert.is(proxyFor(server, undefined, { https_proxy: 'http://lower:3128' }), 'http://lower:3128');
  assert.is(proxyFor(server, undefined, { HTTP_PROXY: 'http://plain:3128' }), undefined);
  assert.is(proxyFor(new URL('http://api.prod.example.com:8080'), undefined, { HTTP_PROXY: 'http://plain:3128', HTTPS_PROXY: 'http://tls:3128' }), 'http://plain:3128');
  assert.is(proxyFor(server, undefined, {}), undefined);
  assert.is(proxyFor(server, undefined, { HTTPS_PROXY: '' }), undefined);
});

test('proxyFor: loopback servers never go through an environment proxy (as Go does)', () => {
  const env = { HTTPS_PROXY: 'http://env-proxy:3128' };
  for (const url of ['https://127.0.0.1:6443', 'https://127.9.9.9:6443', 'https://localhost:6443', 'https://[::1]:6443']) {
    assert.is(proxyFor(new URL(url), undefined, env), undefined, url);
  }
});

test('proxyFor: NO_PROXY (either case) turns the environment proxy off for matching hosts only', () => {
  assert.is(proxyFor(server, undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.example.com' }), undefined);
  assert.is(proxyFor(server, undefined, { HTTPS_PROXY: 'http://p:1', no_proxy: 'prod.example.com' }), undefined);
  assert.is(proxyFor(server, undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'other.example.org' }), 'http://p:1');
  // The port counts: the default port of the scheme when the URL names none.
  assert.is(proxyFor(new URL('https://api.example.com'), undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.example.com:443' }), undefined);
  assert.is(proxyFor(new URL('https://api.example.com'), undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.example.com:6443' }), 'http://p:1');
});

test('noProxyMatches: *, a name (itself and its subdomains), a leading dot or *. (subdomains only, as Go), ports', () => {
  assert.ok(noProxyMatches('*', 'anything.example', '443'));
  assert.ok(noProxyMatches('example.com', 'example.com', '443'));
  assert.ok(noProxyMatches('example.com', 'api.example.com', '443'));
  assert.ok(noProxyMatches('.example.com', 'api.example.com', '443'));
  assert.not.ok(noProxyMatches('.example.com', 'example.com', '443'), 'Go: ".y.com" matches "x.y.com" but not "y.com"');
  assert.not.ok(noProxyMatches('*.example.com', 'example.com', '443'));
  assert.ok(noProxyMatches('*.example.com', 'deep.api.example.com', '443'));
  assert.not.ok(noProxyMatches('example.com', 'notexample.com', '443'), 'a suffix is not a subdomain');
  assert.not.ok(noProxyMatches('api.example.com', 'example.com', '443'), 'a subdomain entry does not cover its parent');
  assert.ok(noProxyMatches('example.com:6443', 'api.example.com', '6443'));
  assert.not.ok(noProxyMatches('example.com:6443', 'api.example.com', '443'));
});

test('noProxyMatches: lists with spaces and empty entries, case-insensitive', () => {
  assert.ok(noProxyMatches(' other.org , ,API.Example.COM ', 'api.example.com', '443'));
  assert.not.ok(noProxyMatches('', 'api.example.com', '443'));
  assert.not.ok(noProxyMatches(' , ', 'api.example.com', '443'));
});

test('noProxyMatches: IPs and CIDR ranges; a CIDR never matches a host name', () => {
  assert.ok(noProxyMatches('10.1.2.3', '10.1.2.3', '443'));
  assert.not.ok(noProxyMatches('10.1.2.3', '10.1.2.4', '443'));
  assert.ok(noProxyMatches('10.0.0.0/8', '10.200.3.4', '443'));
  assert.ok(noProxyMatches('192.168.1.0/24', '192.168.1.255', '443'));
  assert.not.ok(noProxyMatches('192.168.1.0/24', '192.168.2.1', '443'));
  assert.ok(noProxyMatches('0.0.0.0/0', '8.8.8.8', '443'));
  assert.not.ok(noProxyMatches('10.0.0.0/8', 'ten.example.com', '443'));
  assert.not.ok(noProxyMatches('10.0.0.0/33', '10.0.0.1', '443'), 'an invalid prefix length matches nothing');
});

test.run();
