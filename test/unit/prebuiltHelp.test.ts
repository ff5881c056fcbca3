import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { helpKey, helpWidth, prebuiltHelp } from '../../src/cli/prebuiltHelp';

const texts = { [helpKey(120, '')]: 'top 120', [helpKey(80, '')]: 'top 80', [helpKey(120, 'run')]: 'run 120' };

test('prebuilt help: bare, --help and -h alone, or one verb then either; the width as yargs wraps it', () => {
  assert.is(prebuiltHelp([], undefined, texts), 'top 120', 'bare, piped: 120 columns');
  assert.is(prebuiltHelp(['--help'], 200, texts), 'top 120', 'a wide terminal: at most 120');
  assert.is(prebuiltHelp(['-h'], 80, texts), 'top 80');
  assert.is(prebuiltHelp(['run', '--help'], undefined, texts), 'run 120');
  assert.is(prebuiltHelp(['run', '-h'], 80, texts), undefined, 'not rendered at 80: yargs renders it');
  assert.is(prebuiltHelp(['--help'], 100, texts), undefined, 'another width: yargs');
  assert.is(helpWidth(undefined), 120);
  assert.is(helpWidth(95), 95);
});

test('prebuilt help: anything else goes through yargs', () => {
  for (const words of [['--help', 'run'], ['-n', 'x', '--help'], ['run', '--help', '-v'], ['status'], ['--version'], ['RUN', '--help']]) {
    assert.is(prebuiltHelp(words, undefined, texts), undefined, words.join(' '));
  }
  assert.is(prebuiltHelp(['--help'], undefined, undefined), undefined, 'a source checkout carries none');
});

test.run();
