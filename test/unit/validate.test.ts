import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, toE164 } from '../../src/validate.ts';
import { setting, type Setting } from '../../src/settings.ts';

test('phone numbers in common formats become E.164', () => {
  assert.equal(toE164('(424) 485-1544'), '+14244851544');
  assert.equal(toE164('424.485.1544'), '+14244851544');
  assert.equal(toE164('+44 20 7183 8750'), '+442071838750');
  assert.equal(toE164('12345'), undefined);
  assert.equal(toE164('hello'), undefined);
});

const accepts = (s: Setting, values: string[]) => values.forEach((v) => assert.equal(check(s, v).ok, true, v));
const refuses = (s: Setting, values: string[]) => values.forEach((v) => assert.equal(check(s, v).ok, false, v));

test('LiveKit URL: wss/https anywhere, ws/http only on localhost', () => {
  const s = setting('LIVEKIT_URL');
  assert.deepEqual(check(s, 'wss://x.livekit.cloud/'), { ok: true, value: 'wss://x.livekit.cloud' });
  accepts(s, ['https://x.livekit.cloud', 'http://127.0.0.1:7880', 'ws://localhost:7880']);
  refuses(s, ['http://x.livekit.cloud', 'ftp://x', 'x.livekit.cloud']);
});

test('SIP domain: a bare host with an optional port', () => {
  const s = setting('LIVEKIT_SIP_DOMAIN');
  assert.deepEqual(check(s, 'ABC123xyz.sip.livekit.cloud'), { ok: true, value: 'abc123xyz.sip.livekit.cloud' });
  assert.equal(check(s, '127.0.0.1:5060').ok, true);
  for (const bad of ['sip:abc.sip.livekit.cloud', 'https://abc.sip.livekit.cloud', 'user@abc.sip.livekit.cloud', 'abc..cloud', 'abc.cloud:99999', 'a b'])
    assert.equal(check(s, bad).ok, false, bad);
});

test('Supabase URL: https, http only on localhost', () => {
  const s = setting('SUPABASE_URL');
  accepts(s, ['https://abc.supabase.co', 'http://localhost:54321']);
  refuses(s, ['http://abc.supabase.co']);
});

test('SignalWire space: a name, a host or a URL, always https', () => {
  const s = setting('SIGNALWIRE_SPACE_URL');
  assert.deepEqual(check(s, 'example'), { ok: true, value: 'https://example.signalwire.com' });
  assert.deepEqual(check(s, 'example.signalwire.com'), { ok: true, value: 'https://example.signalwire.com' });
  assert.deepEqual(check(s, 'https://example.signalwire.com/'), { ok: true, value: 'https://example.signalwire.com' });
  assert.equal(check(s, 'http://127.0.0.1:9999').ok, true);
  assert.equal(check(s, 'http://example.signalwire.com').ok, false);
});

test('a rejected URL or host is echoed with its password masked', () => {
  const cases: Array<[Parameters<typeof setting>[0], string]> = [
    ['API_BASE_URL', 'ftp://u:pw-secret-1@h.example.com'],
    ['API_BASE_URL', 'http://u:pw-secret-1@h.example.com/x'],
    ['LIVEKIT_URL', 'ftp://key:pw-secret-1@x.livekit.cloud'],
    ['SUPABASE_URL', 'https://u:pw-secret-1@bad host'],
    ['LIVEKIT_SIP_DOMAIN', 'u:pw-secret-1@abc.sip.livekit.cloud'],
    ['LIVEKIT_SIP_DOMAIN', 'sip:u:pw-secret-1@abc.sip.livekit.cloud'],
    ['LIVEKIT_SIP_DOMAIN', 'https://u:pw-secret-1@abc.sip.livekit.cloud'],
  ];
  for (const [key, raw] of cases) {
    const r = check(setting(key), raw);
    assert.equal(r.ok, false, raw);
    const problem = r.ok ? '' : r.problem;
    assert.ok(!problem.includes('pw-secret-1'), problem);
    assert.match(problem, /••••/, problem);
  }
  const r = check(setting('API_BASE_URL'), 'ftp://u:pw-secret-1@h');
  assert.equal(r.ok ? '' : r.problem, '"ftp://u:••••@h" must start with https:// (http:// only for localhost); e.g. https://example.com');
});
