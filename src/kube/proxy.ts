import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { UsageError } from '../core/errors';

export type AgentOptions = https.AgentOptions & { keepAlive: boolean; maxSockets: number };

/**
 * The proxy kubectl would use for a server: the cluster's `proxy-url` when the kubeconfig sets one,
 * else HTTPS_PROXY / HTTP_PROXY (either case) unless NO_PROXY matches the host. As Go's net/http
 * does, loopback hosts never go through an environment proxy.
 */
export function proxyFor(server: URL, clusterProxyUrl: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (clusterProxyUrl) return clusterProxyUrl;
  const pick = (name: string): string | undefined => env[name] || env[name.toLowerCase()] || undefined;
  const proxy = server.protocol === 'https:' ? pick('HTTPS_PROXY') : pick('HTTP_PROXY');
  if (!proxy) return undefined;
  const host = server.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || /^127\./.test(host) || host === '::1') return undefined;
  const port = server.port || (server.protocol === 'https:' ? '443' : '80');
  return noProxyMatches(pick('NO_PROXY') ?? '', host, port) ? undefined : proxy;
}

/**
 * NO_PROXY as Go (and so kubectl) reads it: `*`, IPs, CIDRs, host names with optional ports. A name
 * matches itself and its subdomains; with a leading `.` (or `*.`) its subdomains only.
 */
export function noProxyMatches(noProxy: string, host: string, port: string): boolean {
  for (const raw of noProxy.split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean)) {
    if (raw === '*') return true;
    if (raw.includes('/')) {
      if (inCidr(host, raw)) return true;
      continue;
    }
    const match = /^(.*?)(?::(\d+))?$/.exec(raw);
    const entryHost = (match?.[1] ?? raw).replace(/^\[|\]$/g, '');
    const entryPort = match?.[2];
    if (entryPort && entryPort !== port) continue;
    const subdomainsOnly = /^\*?\./.test(entryHost);
    const domain = entryHost.replace(/^\*?\./, '');
    if ((!subdomainsOnly && host === domain) || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const toNumber = (ip: string): number | undefined => {
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
    return parts.reduce((total, part) => total * 256 + part, 0);
  };
  const address = toNumber(host);
  const network = toNumber(base ?? '');
  if (address === undefined || network === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}

/** The connection pool for one server: direct, or through an HTTP(S) CONNECT or SOCKS proxy. */
export function createAgent(server: URL, options: AgentOptions, proxy: string | undefined): http.Agent {
  if (!proxy) return server.protocol === 'http:' ? new http.Agent({ keepAlive: options.keepAlive, maxSockets: options.maxSockets }) : new https.Agent(options);
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(proxy);
  } catch {
    throw new UsageError(`invalid proxy URL "${proxy}"`);
  }
  if (proxyUrl.protocol.startsWith('socks')) return new SocksProxyAgent(proxyUrl, options);
  if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') throw new UsageError(`unsupported proxy scheme "${proxyUrl.protocol}" in "${proxy}": use http, https or socks5`);
  return server.protocol === 'http:' ? new HttpProxyAgent({ ...options, proxy: proxyUrl }) : new HttpsProxyAgent({ ...options, proxy: proxyUrl });
}
