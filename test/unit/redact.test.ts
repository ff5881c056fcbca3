import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { credentialSecrets, redact } from '../../src/kube/redact';

test('a bearer token is taken out of any text, alone or with its scheme, also JSON-escaped', () => {
  const secrets = credentialSecrets('Bearer abc.def/ghi"jkl');
  assert.is(redact('token Bearer abc.def/ghi"jkl rejected', secrets), 'token [redacted] rejected');
  assert.is(redact('saw abc.def/ghi"jkl', secrets), 'saw [redacted]');
  assert.is(redact(JSON.stringify({ message: 'bad abc.def/ghi"jkl' }), secrets), '{"message":"bad [redacted]"}');
  assert.equal(JSON.parse(redact(JSON.stringify({ message: 'bad abc.def/ghi"jkl' }), secrets)), { message: 'bad [redacted]' });
});

test('basic auth: the header, its base64, user:password and the password are taken out', () => {
  const header = `Basic ${Buffer.from('admin:hunter2-secret').toString('base64')}`;
  const secrets = credentialSecrets(header);
  for (const text of [header, Buffer.from('admin:hunter2-secret').toString('base64'), 'admin:hunter2-secret', 'password hunter2-secret']) {
    assert.not.match(redact(text, secrets), 'hunter2');
    assert.not.match(redact(text, secrets), Buffer.from('admin:hunter2-secret').toString('base64'));
  }
  // The user name alone is not a secret.
  assert.is(redact('user admin', secrets), 'user admin');
});

test('no credentials, or parts too short to be told from words: the text is kept', () => {
  assert.equal(credentialSecrets(undefined), []);
  assert.is(redact('nothing to hide', credentialSecrets(undefined)), 'nothing to hide');
  const short = credentialSecrets(`Basic ${Buffer.from('a:b').toString('base64')}`);
  assert.is(redact('a b c', short), 'a b c');
});

test.run();
