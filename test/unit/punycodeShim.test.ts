import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toASCII, toUnicode, ucs2 } from '../../src/shims/punycode';

test("the bundle's punycode stand-in: IDNA labels both ways, UCS-2 as code points (astral ones whole)", () => {
  assert.is(toASCII('bücher'), 'xn--bcher-kva');
  assert.is(toASCII('api.example.com'), 'api.example.com');
  assert.is(toUnicode('xn--bcher-kva'), 'bücher');
  assert.equal(ucs2.decode('a𝌆b'), [0x61, 0x1d306, 0x62]);
  assert.is(ucs2.encode([0x61, 0x1d306, 0x62]), 'a𝌆b');
});

test.run();
