// The merge on the cases that broke the old hand-written reader, each read back by dotenv and by the
// real python-dotenv. The generated cases are in env-property.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'dotenv';
import { describeEnvChanges, DOTENV_LINE, mergeEnv } from '../../src/render/env.ts';
import { UsageError } from '../../src/errors.ts';
import { readWithPython } from './python-oracle.ts';

const refuses = (text: string, updates: Record<string, string>, pattern: RegExp) =>
  assert.throws(() => mergeEnv(text, updates), (e: Error) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes('\n'));

test("the grammar is dotenv's own LINE expression, character for character", () => {
  // dotenv's package exports only its entry, which is lib/main.js: read the file it resolves to.
  const main = readFileSync(createRequire(import.meta.url).resolve('dotenv'), 'utf8');
  assert.match(createRequire(import.meta.url).resolve('dotenv'), /lib[\\/]main\.js$/);
  const [, source, flags] = /const LINE = \/(.*)\/([a-z]*)\n/.exec(main) ?? [];
  assert.equal(source, DOTENV_LINE.source);
  assert.equal([...flags!].sort().join(''), DOTENV_LINE.flags);
});

test('an unclosed quote on the key to update stops with the line and the fix; the line below survives', () => {
  const text = 'AGENT_NAME="12345\na.b="abc\n';
  refuses(text, { AGENT_NAME: 'x' }, /^\.env line 1: the value of AGENT_NAME opens a quote \("\) that is not closed on that line; close it or remove it/);
  // Another key is still written, and the lines dotenv reads stay as they are.
  const { text: out } = mergeEnv(text, { OTHER: 'y' });
  assert.ok(out.startsWith(text));
  assert.deepEqual(parse(out), { AGENT_NAME: '"12345', 'a.b': '"abc', OTHER: 'y' });
});

test('`KEY: value` (dotenv reads it, python-dotenv does not) is never rewritten: one line naming it', () => {
  refuses('A=1\nLIVEKIT_URL: wss://a\n', { LIVEKIT_URL: 'wss://b' }, /^\.env line 2: "LIVEKIT_URL: …" is read by Node's dotenv but not by python-dotenv; write it as LIVEKIT_URL=…/);
});

test('a quote left open above the new key is named instead of swallowing it', () => {
  refuses('X="abc\nY=1\n', { Z: 'a "b' }, /^\.env line 1: a quote opened there is not closed on its line/);
});

test('each line keeps its own ending: mixed LF/CRLF stays mixed, lone CRs do not crash', () => {
  const text = 'A=1\r\nB=2\nC=3\rD=4\r\n';
  const { text: out } = mergeEnv(text, { B: 'two', C: 'three', E: '5' });
  assert.equal(out, 'A=1\r\nB=two\nC=three\rD=4\r\n\r\n# Added by create-sip-inbound\r\nE=5\r\n');
});

test('clearing a value writes KEY= with its inline comment moved to its own line above', async () => {
  const text = 'AGENT_NAME=old   # the name my worker registers\nNEXT=1\n';
  const { text: out } = mergeEnv(text, { AGENT_NAME: '' });
  assert.equal(out, '# the name my worker registers\nAGENT_NAME=\nNEXT=1\n');
  const [py] = (await readWithPython([out])).files;
  assert.equal(py!.raw.AGENT_NAME, '');
});

test('values with #, quotes, spaces, line breaks and backslashes read back the same in dotenv and python-dotenv', async () => {
  const values = ['p#ss', "it's", 'say "hi"', `a'b"c\`d`, ' padded ', 'two\nlines', 'C:\\dir\\n', 'tab\there', '#start', 'x # y', 'é∂'];
  const texts = values.map((v) => mergeEnv('# mine\nK=old # note\n', { K: v }).text);
  const py = (await readWithPython(texts)).files;
  for (const [i, v] of values.entries()) {
    assert.equal(parse(texts[i]!).K, v, `dotenv: ${JSON.stringify(texts[i])}`);
    assert.equal(py[i]!.raw.K, v, `python-dotenv: ${JSON.stringify(texts[i])}`);
    assert.ok(texts[i]!.startsWith('# mine\nK='), 'the line above is untouched');
  }
});

test('a value no quoting can carry is refused before anything is written, naming the key', () => {
  refuses('', { LIVEKIT_SIP_PASSWORD: `a'b"c #d` }, /^LIVEKIT_SIP_PASSWORD cannot be written to \.env so that dotenv and python-dotenv read it back the same/);
  refuses('', { OPENAI_API_KEY: 'x${HOME}' }, /^OPENAI_API_KEY cannot be written .*python-dotenv would expand/);
});

test('a key dotenv reads right but python-dotenv does not (A=abc#x) is rewritten so both agree', () => {
  const { text, diff } = mergeEnv('A=abc#x\n', { A: 'abc' });
  assert.equal(text, 'A=abc #x\n');
  assert.deepEqual(diff.updated, ['A']);
});

test('the plan line shows old → new per key, secrets masked', () => {
  const { diff } = mergeEnv('AGENT_NAME=old\nLIVEKIT_API_SECRET=secretvalue-0123456789\n', {
    AGENT_NAME: 'inbound-agent',
    LIVEKIT_API_SECRET: 'newsecret-abcdefghij',
    LIVEKIT_URL: 'wss://x.livekit.cloud',
  });
  const line = describeEnvChanges(diff, (k) => k.includes('SECRET'));
  assert.equal(line, 'add LIVEKIT_URL "wss://x.livekit.cloud"; update AGENT_NAME "old" → "inbound-agent", LIVEKIT_API_SECRET sec…89 → new…ij');
  assert.ok(!line.includes('secretvalue') && !line.includes('newsecret-abc'));
});

test('the spacing before an inline comment is kept; a # straight after a value gets one space (python-dotenv would read it)', () => {
  assert.equal(mergeEnv('A=old   # c\n', { A: 'new' }).text, 'A=new   # c\n');
  assert.equal(mergeEnv('A = x  \n', { A: 'new' }).text, 'A = new  \n');
  assert.equal(mergeEnv('A=x#c\n', { A: 'new' }).text, 'A=new #c\n');
});
