// Lines that Node's dotenv and python-dotenv read differently: found with the line that counts, described with
// how each reads them, a value under a secret-like name shown only masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDisagreements, disagreements } from '../../src/render/env-readers.ts';

test('each kind of disagreement is found on its line; lines both read alike and skipped keys are not', () => {
  const text = 'A=same\r\nB=abc#x\r\n\r\nC: colon\r\nD\r\nE=${HOME}/x\r\nF="a\\tb"\r\nOWNED=`x`\r\n';
  const found = disagreements(text, new Set(['OWNED']));
  assert.deepEqual(
    found.map((x) => [x.key, x.line, x.dotenv, x.python, x.expands]),
    [
      ['B', 2, 'abc', 'abc#x', false],
      ['C', 4, 'colon', undefined, false],
      ['D', 5, undefined, null, false],
      ['E', 6, '${HOME}/x', '${HOME}/x', true],
      ['F', 7, 'a\\tb', 'a\tb', false],
    ],
  );
});

test('the description says how each reads them; a secret-like name shows lengths and masks only', () => {
  const line = describeDisagreements(disagreements('API_TOKEN=abcdef#ghijklmn\nD\n'), '.env')!;
  assert.equal(
    line,
    '.env: dotenv and python-dotenv read 2 lines this tool does not own differently (left as they are):\n' +
      '    API_TOKEN (line 1): dotenv reads 6 characters (••••), python-dotenv 15 characters (abc…mn)\n' +
      '    D (line 2): dotenv reads nothing (it skips the line), python-dotenv the key without a value',
  );
  assert.equal(describeDisagreements(disagreements('A=1\nB="2"\n'), '.env'), undefined);
});
