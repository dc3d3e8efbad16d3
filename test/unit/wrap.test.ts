// Fitting lines to the terminal: between words only, hanging under bullets, and a command that ends a line
// kept pasteable (its own line, then ` \` continuations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitLine, shortened, wrapCommand, wrapWords } from '../../src/wrap.ts';
import { setInvocation } from '../../src/invocation.ts';

test('words wrap at spaces, never inside one; a word longer than the width stands alone, moved left as far as it must', () => {
  const lines = wrapWords('alpha beta gamma delta https://example.com/a/very/long/path/that/does/not/fit epsilon', 20, '  ');
  assert.deepEqual(lines, ['alpha beta gamma', '  delta', 'https://example.com/a/very/long/path/that/does/not/fit', '  epsilon']);
  // One that fits beside part of the indent keeps as much of it as it can.
  assert.deepEqual(wrapWords('a https://example.com/path', 25, '    '), ['a', ' https://example.com/path']);
});

test('a bullet, a "!" note and a numbered step hang their continuation under the text', () => {
  assert.deepEqual(fitLine('  • one two three four five six', 16), ['  • one two', '    three four', '    five six']);
  assert.deepEqual(fitLine('! one two three four', 12), ['! one two', '  three four']);
  assert.deepEqual(fitLine('  1. one two three four', 14), ['  1. one two', '     three', '     four']);
});

test('a command ending a line moves to its own lines, continued with " \\\\" so a shell reads it as one; a flag keeps its value', () => {
  setInvocation('npx create-sip-inbound');
  const lines = fitLine('To skip the prompts next time: npx create-sip-inbound --yes --number +14244851544 --tts-voice Adam', 40);
  assert.deepEqual(lines, [
    'To skip the prompts next time:',
    '  npx create-sip-inbound --yes \\',
    '    --number +14244851544 \\',
    '    --tts-voice Adam',
  ]);
  for (const l of lines) assert.ok(l.length <= 40, l);
  assert.deepEqual(wrapCommand('npx create-sip-inbound check', 80, '  '), ['  npx create-sip-inbound check']);
  setInvocation(undefined);
});

test('a line that must stay one line is cut at a word with "…"', () => {
  assert.equal(shortened('Waiting up to 20 s for the agent to join (start your agent: python agent.py dev)', 40), 'Waiting up to 20 s for the agent to…');
  assert.equal(shortened('short', 40), 'short');
});
