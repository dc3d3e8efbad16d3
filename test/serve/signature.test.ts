// X-SignalWire-Signature: hex HMAC-SHA1 with the Signing Key over the full URL + the raw body. The
// expected values here are computed independently (openssl, or node:crypto directly), not with our module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { swmlSignature } from '../../src/server/signature.ts';
import { FAKE_SIGNING_KEY, FAKE_SIP_PASSWORD, request, signalwireBody, startServer } from './helpers.ts';

const sign = (url: string, body: string, key = FAKE_SIGNING_KEY) => createHmac('sha1', key).update(url + body).digest('hex');

test('matches a vector made with openssl', () => {
  // printf '%s' 'https://swml.example.test/api/swml-inbound{"call":{"to":"+14244851544"}}' | openssl dgst -sha1 -hmac 'PSK_fake_signing_key'
  const got = swmlSignature('PSK_fake_signing_key', 'https://swml.example.test/api/swml-inbound', '{"call":{"to":"+14244851544"}}');
  assert.equal(got, '194fc031c62624e552a8e2cfa8871d95c2114aa2');
});

test('with a signing key: wrong or missing signature 403, right one 200', async (t) => {
  const base = 'https://swml.example.test';
  const s = await startServer({ credentials: true, signingKey: FAKE_SIGNING_KEY, publicBaseUrl: base });
  t.after(s.close);
  const body = signalwireBody();
  const post = (headers: Record<string, string>, b = body) => request(s.base, '/api/swml-inbound', { method: 'POST', headers, body: b });

  const missing = await post({});
  assert.equal(missing.status, 403);
  assert.ok(!missing.text.includes(FAKE_SIP_PASSWORD));
  assert.equal((await post({ 'x-signalwire-signature': sign(`${base}/api/swml-inbound`, body, 'PSK_other_key') })).status, 403);
  assert.equal((await post({ 'x-signalwire-signature': sign(`${base}/api/swml-inbound`, body) }, body.replace('+16505300051', '+16505300052'))).status, 403);
  assert.equal((await post({ 'x-signalwire-signature': sign(`${s.base}/api/swml-inbound`, body) })).status, 403, 'signed for the local URL, not API_BASE_URL');
  assert.equal((await post({ 'x-signalwire-signature': 'zz' })).status, 403);

  const ok = await post({ 'x-signalwire-signature': sign(`${base}/api/swml-inbound`, body) });
  assert.equal(ok.status, 200);
  assert.equal(ok.json().sections.main[0].connect.password, FAKE_SIP_PASSWORD);
  // SignalWire may sign with the default port spelled out.
  assert.equal((await post({ 'x-signalwire-signature': sign(`${base}:443/api/swml-inbound`, body) })).status, 200);

  // GET never comes from SignalWire: unsigned, it must not hand out the password either.
  const get = await request(s.base, '/api/swml-inbound?to=%2B14244851544');
  assert.equal(get.status, 403);
  const signedGet = await request(s.base, '/api/swml-inbound?to=%2B14244851544', {
    headers: { 'x-signalwire-signature': sign(`${base}/api/swml-inbound?to=%2B14244851544`, '') },
  });
  assert.equal(signedGet.status, 200);

  const log = s.lines.join('\n');
  assert.match(log, / 403 .*X-SignalWire-Signature/);
  for (const secret of [FAKE_SIGNING_KEY, FAKE_SIP_PASSWORD]) assert.ok(!log.includes(secret));
});

test('API_BASE_URL with user:pass@: the signature covers the URL without them; the password is never logged', async (t) => {
  const password = 'FAKE-basic-auth-pass-0000';
  const s = await startServer({ credentials: true, signingKey: FAKE_SIGNING_KEY, publicBaseUrl: `https://swml-user:${password}@swml.example.test` });
  t.after(s.close);
  const body = signalwireBody();
  const post = (url: string) => request(s.base, '/api/swml-inbound', { method: 'POST', headers: { 'x-signalwire-signature': sign(url, body) }, body });
  const ok = await post('https://swml.example.test/api/swml-inbound');
  assert.equal(ok.status, 200);
  assert.equal(ok.json().sections.main[0].connect.password, FAKE_SIP_PASSWORD);
  assert.equal((await post(`https://swml-user:${password}@swml.example.test/api/swml-inbound`)).status, 403);
  assert.equal(s.lines.length, 2);
  for (const line of s.lines) assert.ok(!line.includes(password) && !line.includes(FAKE_SIGNING_KEY), line);
});

test('with API_BASE_URL, forwarded headers are ignored: a request signed for another host is refused', async (t) => {
  const s = await startServer({ credentials: true, signingKey: FAKE_SIGNING_KEY, publicBaseUrl: 'https://swml.example.test' });
  t.after(s.close);
  const body = signalwireBody();
  // Signed by SignalWire for another endpoint of the same project, replayed here with headers naming it.
  const replay = await request(s.base, '/api/swml-inbound', {
    method: 'POST',
    headers: {
      'x-signalwire-signature': sign('https://other.example.test/api/swml-inbound', body),
      'x-forwarded-host': 'other.example.test',
      'x-forwarded-proto': 'https',
      forwarded: 'for=192.0.2.1;proto=https;host=other.example.test',
      host: 'other.example.test',
    },
    body,
  });
  assert.equal(replay.status, 403);
  assert.ok(!replay.text.includes(FAKE_SIP_PASSWORD));
});

test('trusting a proxy: the URL comes from Forwarded or X-Forwarded-*, else Host as https', async (t) => {
  const s = await startServer({ signingKey: FAKE_SIGNING_KEY });
  t.after(s.close);
  const body = signalwireBody();
  const post = (url: string, headers: Record<string, string>) =>
    request(s.base, '/api/swml-inbound?tenant=a', { method: 'POST', headers: { 'x-signalwire-signature': sign(url, body), ...headers }, body });
  const url = 'https://public.example.test/api/swml-inbound?tenant=a';

  assert.equal((await post(url, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example.test' })).status, 200, 'X-Forwarded-*');
  assert.equal((await post(url, { forwarded: 'for=192.0.2.60;proto=https;host=public.example.test' })).status, 200, 'Forwarded');
  assert.equal((await post(url, { forwarded: 'For="[2001:db8:cafe::17]:4711";Proto=https;Host="public.example.test", for=10.0.0.1;host=inner' })).status, 200, 'Forwarded, quoted, two hops');
  const withPort = 'https://public.example.test:8443/api/swml-inbound?tenant=a';
  assert.equal((await post(withPort, { forwarded: 'proto=https;host="public.example.test:8443"' })).status, 200, 'Forwarded host with a port');
  // A TLS proxy that passes Host and says nothing about the scheme.
  assert.equal((await post(url, { host: 'public.example.test' })).status, 200, 'Host, no proto');
  assert.equal((await post(url, { forwarded: 'for=192.0.2.60;host=public.example.test' })).status, 200, 'Forwarded without proto');
  // Without a proxy, plain http to this socket.
  assert.equal((await post(`http://127.0.0.1:${s.port}/api/swml-inbound?tenant=a`, {})).status, 200, 'direct');
  // A forwarded host that could smuggle a path or user part is not used.
  assert.equal((await post('https://evil.test/x?/api/swml-inbound?tenant=a', { 'x-forwarded-host': 'evil.test/x?' })).status, 403);
});
