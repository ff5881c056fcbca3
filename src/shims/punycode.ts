// The bundle's stand-in for Node's deprecated `punycode` module, which client-node's node-fetch
// (whatwg-url, tr46) requires: loading the built-in one prints a DeprecationWarning (DEP0040) on
// every run. These are the four functions those modules call, on Node's own IDNA code.
import { domainToASCII, domainToUnicode } from 'node:url';

export function toASCII(domain: string): string {
  return domainToASCII(domain) || domain;
}

export function toUnicode(domain: string): string {
  return domainToUnicode(domain) || domain;
}

export const ucs2 = {
  decode: (text: string): number[] => Array.from(text, (character) => character.codePointAt(0) ?? 0),
  encode: (codePoints: readonly number[]): string => String.fromCodePoint(...codePoints),
};
