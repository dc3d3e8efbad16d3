import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { encodeValue, mergeEnv, NEW_KEYS_HEADER } from '../../src/render/env.ts';
import { writeEnvFile } from '../../src/services/env-file.ts';

const EXISTING = [
  '# LiveKit',
  'export LIVEKIT_URL="wss://old.livekit.cloud"   # production',
  "LIVEKIT_API_KEY='APIold'",
  '  SUPABASE_URL = https://abc.supabase.co',
  '',
  '# something of theirs',
  'UNRELATED=keep me # note',
  'MULTI="line one',
  'line two"',
  'EMPTY=',
  'TRAILING=x',
].join('\r\n') + '\r\n';

test('an existing .env comes back byte-identical except the changed keys', () => {
  const { text, diff } = mergeEnv(EXISTING, {
    LIVEKIT_URL: 'wss://new.livekit.cloud',
    LIVEKIT_API_KEY: 'APIold',
    SUPABASE_URL: 'https://xyz.supabase.co',
    TRAILING: 'x',
  });
  const expected = EXISTING.replace('wss://old.livekit.cloud', 'wss://new.livekit.cloud').replace('https://abc.supabase.co', 'https://xyz.supabase.co');
  assert.equal(text, expected);
  assert.deepEqual(diff, {
    added: [],
    updated: ['LIVEKIT_URL', 'SUPABASE_URL'],
    unchanged: ['LIVEKIT_API_KEY', 'TRAILING'],
    changes: [
      { key: 'LIVEKIT_URL', from: 'wss://old.livekit.cloud', to: 'wss://new.livekit.cloud' },
      { key: 'SUPABASE_URL', from: 'https://abc.supabase.co', to: 'https://xyz.supabase.co' },
    ],
  });
});

test('new keys are appended under a header, keeping CRLF line endings; dotenv reads every value back', () => {
  const values = { AGENT_NAME: 'inbound-agent', LIVEKIT_SIP_PASSWORD: `p4ss 'w"d`, NOTE: 'two\nlines' };
  const { text, diff } = mergeEnv(EXISTING, values);
  assert.ok(text.startsWith(EXISTING), 'existing text untouched');
  assert.ok(text.includes(`\r\n${NEW_KEYS_HEADER}\r\n`));
  assert.ok(!/[^\r]\n/.test(text.replace(/line one\r\nline two/, '')), 'no bare LF introduced');
  assert.deepEqual(diff.added, Object.keys(values));
  const back = parse(text);
  for (const [k, v] of Object.entries(values)) assert.equal(back[k], v, k);
  assert.equal(back.MULTI, 'line one\nline two');
  assert.equal(back.UNRELATED, 'keep me');
  // A second merge adds no second header.
  const again = mergeEnv(text, { EXTRA: '1' }).text;
  assert.equal(again.split(NEW_KEYS_HEADER).length, 2);
});

test('an updated key keeps its quote style, export prefix and inline comment', () => {
  const { text } = mergeEnv(EXISTING, { LIVEKIT_URL: 'wss://x.livekit.cloud', UNRELATED: 'changed' });
  assert.ok(text.includes('export LIVEKIT_URL="wss://x.livekit.cloud"   # production\r\n'));
  assert.ok(text.includes('UNRELATED=changed # note\r\n'));
});

test('the last of duplicate keys (the one dotenv uses) is the one updated', () => {
  const { text } = mergeEnv('A=1\nA=2\n', { A: '3' });
  assert.equal(text, 'A=1\nA=3\n');
});

test('nothing to change returns the very same text', () => {
  const { text, diff } = mergeEnv(EXISTING, { TRAILING: 'x' });
  assert.equal(text, EXISTING);
  assert.deepEqual(diff.updated, []);
});

test('values round-trip through dotenv', () => {
  for (const v of ['plain', '', 'with space', '#hash', 'a#b c', "it's", 'say "hi"', `both ' and "`, 'back\\slash', 'line\nbreak', ' padded ', 'sb_secret_x=y']) {
    assert.equal(parse(`K=${encodeValue(v)}`).K, v, JSON.stringify(v));
  }
});

test('writeEnvFile: atomic, mode 0600, previous file kept as .env.bak', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-env-'));
  const path = join(dir, '.env');
  writeFileSync(path, 'OLD=1\n', { mode: 0o644 });
  writeEnvFile(path, 'NEW=2\n');
  assert.equal(readFileSync(path, 'utf8'), 'NEW=2\n');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(readFileSync(`${path}.bak`, 'utf8'), 'OLD=1\n');
  assert.equal(statSync(`${path}.bak`).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).sort(), ['.env', '.env.bak'], 'no temp file left behind');
});

test('writeEnvFile: a failed write leaves the file as it was and says so in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-env-'));
  const path = join(dir, 'missing-dir', '.env');
  assert.throws(() => writeEnvFile(path, 'X=1\n'), (e: Error) => /Could not write .*left as it was/.test(e.message) && !e.message.includes('\n'));
  assert.equal(existsSync(path), false);
});
