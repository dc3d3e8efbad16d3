// The one redactor: every secret of the run in any spelling, credential shapes a service may echo, and
// control characters from services escaped while our own colours pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControls, redact, redactLine, rememberSecret, rememberSecrets, shown } from '../../src/redact.ts';

test('a given secret is replaced wherever it appears, raw, JSON-escaped or URL-encoded', () => {
  const s = 'p@ss"wo/rd\\x';
  const text = `raw ${s} json ${JSON.stringify({ v: s })} url ?k=${encodeURIComponent(s)}`;
  const out = redact(text, [s]);
  assert.ok(!out.includes(s) && !out.includes(JSON.stringify(s).slice(1, -1)) && !out.includes(encodeURIComponent(s)), out);
  assert.equal((out.match(/••••/g) ?? []).length, 3);
});

test('secrets remembered from the run are redacted without being passed again', () => {
  rememberSecrets({ LIVEKIT_SIP_PASSWORD: 'sip-pass-remembered-1', SUPABASE_SERVICE_KEY: 'alias-key-remembered-2', LIVEKIT_URL: 'wss://not.secret' });
  rememberSecret('typed-secret-remembered-3');
  const out = redact('sip-pass-remembered-1 alias-key-remembered-2 typed-secret-remembered-3 wss://not.secret');
  assert.equal(out, '•••• •••• •••• wss://not.secret');
});

test('a secret containing another is hidden whole; short values are not treated as secrets', () => {
  assert.equal(redact('abcd-efgh-ijkl', ['efgh', 'abcd-efgh-ijkl']), '••••');
  assert.equal(redact('a b c', ['a', 'b']), 'a b c');
});

test('credential shapes a service echoes are masked; masks and carried secrets are left alone', () => {
  assert.equal(redact('https://u:hunter22@host/x'), 'https://u:••••@host/x');
  assert.equal(redact('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc'), 'Authorization: Bearer ••••');
  assert.equal(redact('{"password":"unknown-one","authPassword": "x\\"y"}'), '{"password":"••••","authPassword": "••••"}');
  assert.equal(redact('{"password": "********"}'), '{"password": "********"}');
  assert.equal(redact('{"password":"kept-carried-9"}', [], ['kept-carried-9']), '{"password":"kept-carried-9"}');
});

test('control characters become visible escapes; our own colours, newlines and tabs stay', () => {
  const evil = 'Sales\x1b]0;pwned\x07\x1b[2J\r\u202eline\x9b31m';
  const out = escapeControls(evil, { keepStyle: true });
  assert.equal(out, 'Sales\\u001b]0;pwned\\u0007\\u001b[2J\\u000d\\u202eline\\u009b31m');
  assert.equal(escapeControls('\x1b[2mdim\x1b[22m\n\tx', { keepStyle: true }), '\x1b[2mdim\x1b[22m\n\tx');
  assert.equal(escapeControls('\x1b[2mdim'), '\\u001b[2mdim');
  // Valid inside JSON strings: the escape is JSON's own.
  assert.equal(JSON.parse(`"${escapeControls('\x85')}"`), '\x85');
});

test('shown() redacts and escapes; redactLine() makes one bounded line', () => {
  assert.equal(shown('key sk-live-000111 \x1b[8mhidden', ['sk-live-000111']), 'key •••• \\u001b[8mhidden');
  assert.equal(redactLine('a\n  b\tsecret-value-77', ['secret-value-77']), 'a b ••••');
  assert.equal(redactLine('x'.repeat(400)).length, 300);
});
