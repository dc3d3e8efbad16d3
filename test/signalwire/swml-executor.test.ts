// The SignalWire stand-in runs a number's SWML as SignalWire does: the hosted script, or the External URL
// POSTed with a valid signature; %{call.to} substituted; `connect` drives the SIP dialer with the document's
// login; the SIP answer lands in the voice log. A wrong SWML fails visibly, each with LiveKit's answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/server/signature.ts';
import { normalizeNumber, sameNumber } from '../../src/services/sip-number.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { parseSwml, substitute } from '../stand-ins/swml-executor.ts';
import { callWorld, FROM, NUMBER, swmlWith } from '../call/helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

test('LiveKit number normalisation: separators stripped, + added, anything else left alone', () => {
  assert.equal(normalizeNumber('+1 424 485 1544'), NUMBER);
  assert.equal(normalizeNumber('14244851544'), NUMBER);
  assert.equal(normalizeNumber('(424) 485-1544'), '+4244851544');
  assert.equal(normalizeNumber('{{call.to}}'), '{{call.to}}');
  assert.ok(sameNumber('1-424-485-1544', NUMBER));
  assert.ok(!sameNumber('(424) 485-1544', NUMBER));
});

test('substitution fills %{call.to} and ${call.from}; {{To}} stays as written', () => {
  const doc = parseSwml(JSON.stringify({ sections: { main: [{ connect: { to: 'sip:%{call.to}@h', from: '${call.from}', x: '{{call.to}}' } }] } }));
  assert.ok(doc.ok);
  assert.deepEqual(substitute(doc.main, { to: NUMBER, from: FROM }), [{ connect: { to: `sip:${NUMBER}@h`, from: FROM, x: '{{call.to}}' } }]);
});

test('a call to our number runs the hosted SWML into LiveKit: 200, a room, the SIP leg in the voice log', async (t) => {
  const w = await callWorld(t, pg);
  const call = await w.sw.callNumber(NUMBER, FROM, { holdMs: 200 });
  assert.equal(call.sipCode, 200, call.problem);
  const room = [...w.lk.rooms.values()].find((r) => r.room.name.startsWith('sip-_'));
  assert.ok(room, 'a room sip-_…');
  assert.equal(room.participants.find((p) => p.attributes['sip.trunkPhoneNumber'])?.attributes['sip.trunkPhoneNumber'], NUMBER);
  const sipLeg = [...w.sw.logs.values()].find((l) => l.type === 'relay_sip_call')!;
  assert.equal(sipLeg.to, `sip:${NUMBER}@${w.values.LIVEKIT_SIP_DOMAIN};transport=tcp`);
  assert.equal(sipLeg.parent_id, call.logId);
  await call.ended;
  assert.equal(sipLeg.status, 'completed');
  assert.ok(w.sw.events.get(sipLeg.id)!.some((e) => e.details.sip_code === 200));
});

const wrong: Array<{ name: string; change: Record<string, unknown>; code: number }> = [
  { name: 'the password masked as on screen', change: { password: '********' }, code: 401 },
  { name: 'no login at all', change: { username: undefined, password: undefined }, code: 407 },
  { name: 'cXML {{call.to}}', change: { to: 'sip:{{call.to}}@%{domain};transport=tcp' }, code: 404 },
  { name: 'a wrong SIP domain', change: { to: 'sip:%{call.to}@wrong.sip.livekit.cloud;transport=tcp' }, code: 408 },
];
for (const c of wrong)
  test(`a wrong SWML fails visibly: ${c.name} → ${c.code} in the voice log, no room`, async (t) => {
    const w = await callWorld(t, pg);
    // %{domain}: this world's SIP domain, known only once it runs.
    const change = Object.fromEntries(Object.entries(c.change).map(([k, v]) => [k, typeof v === 'string' ? v.replace('%{domain}', w.values.LIVEKIT_SIP_DOMAIN!) : v]));
    w.sw.scripts.values().next().value!.contents = swmlWith(w.values, change);
    const call = await w.sw.callNumber(NUMBER, FROM);
    assert.equal(call.sipCode, c.code);
    assert.equal(w.lk.rooms.size, 0);
    const sipLeg = [...w.sw.logs.values()].find((l) => l.type === 'relay_sip_call')!;
    assert.equal(sipLeg.status, 'failed');
    assert.ok(w.sw.events.get(sipLeg.id)!.some((e) => e.details.sip_code === c.code));
  });

test('an External URL handler is POSTed the call as JSON with a signature that verifies', async (t) => {
  const w = await callWorld(t, pg, { signalwire: { signingKey: 'PSK_test_signing_key' } });
  const seen: Array<{ ok: boolean; body: { call?: { to?: string; from?: string } } }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
      seen.push({ ok: verifySignature('PSK_test_signing_key', req.headers['x-signalwire-signature'] as string, url, raw), body: JSON.parse(raw.toString()) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(swmlWith(w.values, {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const n = [...w.sw.numbers.values()].find((x) => x.number === NUMBER)!;
  n.call_relay_script_url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/swml-inbound`;
  const call = await w.sw.callNumber(NUMBER, FROM, { holdMs: 100 });
  assert.equal(call.sipCode, 200, call.problem);
  assert.equal(seen.length, 1);
  assert.ok(seen[0]!.ok, 'the signature verifies');
  assert.equal(seen[0]!.body.call?.to, NUMBER);
  assert.equal(seen[0]!.body.call?.from, FROM);
  await call.ended;
});

test('a number with no SWML handler does not reach LiveKit, and says why', async (t) => {
  const w = await callWorld(t, pg);
  const n = [...w.sw.numbers.values()].find((x) => x.number === NUMBER)!;
  Object.assign(n, { call_handler: 'laml_webhooks', call_request_url: 'https://example.com/laml', call_relay_script_url: null });
  const call = await w.sw.callNumber(NUMBER, FROM);
  assert.match(call.problem ?? '', /no SWML handler/);
  assert.equal(w.lk.rooms.size, 0);
});
