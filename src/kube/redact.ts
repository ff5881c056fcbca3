/** What replaces a credential in any text a server answered. */
export const REDACTED = '[redacted]';

/** Shorter parts (a one-letter password) would blank out ordinary words; the whole header is always kept out. */
const MIN_PART_LENGTH = 4;

/**
 * The strings to keep out of messages, from the Authorization header the client sends: the header
 * value, its token, and for Basic auth the decoded user:password and the password. Each also in its
 * JSON-escaped form, as it would appear inside a Status body.
 */
export function credentialSecrets(authorization: string | undefined): string[] {
  if (!authorization) return [];
  const parts = [authorization];
  const space = authorization.indexOf(' ');
  const scheme = space > 0 ? authorization.slice(0, space).toLowerCase() : '';
  const value = space > 0 ? authorization.slice(space + 1).trim() : '';
  if (value) parts.push(value);
  if (scheme === 'basic' && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    parts.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
  }
  const secrets = parts.filter((part, index) => index === 0 || part.length >= MIN_PART_LENGTH);
  return [...new Set(secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))];
}

/**
 * Takes the secrets out of a text a server answered: a proxy's error page or a misconfigured
 * authenticator may echo the request's credentials, and error messages are printed and logged.
 */
export function redact(text: string, secrets: readonly string[]): string {
  // Longest first, so a header value goes whole before its token part is looked for.
  return [...secrets].sort((a, b) => b.length - a.length).reduce((result, secret) => result.split(secret).join(REDACTED), text);
}
