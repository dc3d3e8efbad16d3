// Telnyx through the carrier seam, against a stand-in that checks every request and answer against Telnyx's
// published OpenAPI document: the number is routed once, a second plan is empty, a change of SIP domain moves the
// FQDN, remove takes the number off the connection; failures are one line that names the fix, never the key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { carrierNamed } from '../../src/carriers/index.ts';
import { applyPlan } from '../../src/changes.ts';
import { UsageError } from '../../src/errors.ts';
import { startTelnyx, type TelnyxStandIn } from '../stand-ins/telnyx.ts';
import { NUMBER, OTHER_NUMBER } from '../fixtures.ts';

let tx: TelnyxStandIn;
let before0: string;
before(async () => {
  tx = await startTelnyx();
  // The number starts on a connection of its own (someone's earlier route), which the setup replaces.
  before0 = tx.addNumber(NUMBER).id;
  tx.addNumber(OTHER_NUMBER);
  // 300 more numbers: the account's list takes two pages of 250.
  for (let i = 0; i < 300; i++) tx.addNumber(`+1555010${String(i).padStart(4, '0')}`);
});
after(() => tx.stop());

const telnyx = carrierNamed('telnyx');
const values = () => ({ TELNYX_API_KEY: tx.apiKey, TELNYX_API_URL: tx.url, LIVEKIT_SIP_DOMAIN: 'abc.sip.livekit.cloud' });
const number = () => tx.numbers.get(before0)!;

async function converge(v = values()) {
  const conn = telnyx.conn(v)!;
  const target = telnyx.target(v);
  const changes = telnyx.plan(conn, NUMBER, target, await telnyx.observe(conn, NUMBER, target));
  const report = await applyPlan(changes);
  assert.equal(report.failed, undefined, String(report.failed?.error));
  return changes.map((c) => c.summary);
}

test('the target is the SIP domain host and port (5060 when none) and the connection is named like the LiveKit trunk', () => {
  assert.deepEqual(telnyx.target({ LIVEKIT_SIP_DOMAIN: 'abc.sip.livekit.cloud' }), { connectionName: 'create-sip-inbound', fqdn: 'abc.sip.livekit.cloud', port: 5060 });
  assert.deepEqual(telnyx.target({ LIVEKIT_SIP_DOMAIN: '127.0.0.1:5070', LIVEKIT_SIP_TRUNK_NAME: 'sales' }), { connectionName: 'sales', fqdn: '127.0.0.1', port: 5070 });
});

test('routes the number: an FQDN connection over TCP with +E.164 numbers, its FQDN, the number on it; a rerun changes nothing', async () => {
  tx.connections.set('42', { id: '42', connection_name: 'create-sip-inbound-old', transport_protocol: 'UDP', inbound: { ani_number_format: 'E.164', dnis_number_format: 'e164' } });
  number().connection_id = '42';
  const first = await converge();
  assert.deepEqual(first, [
    'Telnyx: create FQDN connection "create-sip-inbound" (TCP, caller and called number as +E.164)',
    'Telnyx connection "create-sip-inbound": add FQDN abc.sip.livekit.cloud:5060',
    `Telnyx ${NUMBER}: put on connection "create-sip-inbound" (now: connection 42 "create-sip-inbound-old")`,
  ]);
  const ours = [...tx.connections.values()].find((c) => c.connection_name === 'create-sip-inbound')!;
  assert.equal(ours.transport_protocol, 'TCP');
  assert.deepEqual(ours.inbound, { ani_number_format: '+E.164', dnis_number_format: '+e164' });
  assert.deepEqual([...tx.fqdns.values()].map((f) => [f.connection_id, f.fqdn, f.port, f.dns_record_type]), [[ours.id, 'abc.sip.livekit.cloud', 5060, 'a']]);
  assert.equal(number().connection_id, ours.id);
  assert.equal(tx.connections.get('42')!.transport_protocol, 'UDP', 'the similarly named connection is left alone');
  const writes = tx.writes().length;
  assert.deepEqual(await converge(), []);
  assert.equal(tx.writes().length, writes, 'the rerun wrote nothing');
  assert.deepEqual(tx.violations, []);
});

test('a connection changed by hand is put back field by field, old → new, and a new SIP domain moves the FQDN in place', async () => {
  const ours = [...tx.connections.values()].find((c) => c.connection_name === 'create-sip-inbound')!;
  ours.transport_protocol = 'UDP';
  ours.inbound.dnis_number_format = 'national';
  const v = { ...values(), LIVEKIT_SIP_DOMAIN: 'new.sip.livekit.cloud:5080' };
  assert.deepEqual(await converge(v), [
    'Telnyx connection "create-sip-inbound": transport UDP → TCP, called format national → +e164',
    'Telnyx connection "create-sip-inbound": FQDN abc.sip.livekit.cloud:5060 → new.sip.livekit.cloud:5080',
  ]);
  assert.deepEqual(ours.inbound, { ani_number_format: '+E.164', dnis_number_format: '+e164' }, 'the caller format was not touched');
  assert.deepEqual(await converge(), ['Telnyx connection "create-sip-inbound": FQDN new.sip.livekit.cloud:5080 → abc.sip.livekit.cloud:5060']);
  assert.equal(tx.fqdns.size, 1);
  assert.deepEqual(tx.violations, []);
});

test('un-routing takes the number off our connection and says its earlier one is not restored; twice is a no-op', async () => {
  const conn = telnyx.conn(values())!;
  const target = telnyx.target(values());
  const changes = telnyx.unroute(conn, NUMBER, await telnyx.observe(conn, NUMBER, target));
  assert.equal(changes.length, 1);
  assert.match(changes[0]!.summary, /^Telnyx \+14244851544: take off connection "create-sip-inbound" \(connection \d+ → none; its connection before the setup is not known, so none is restored\)$/);
  await applyPlan(changes);
  assert.equal(number().connection_id, null);
  assert.equal(tx.fqdns.size, 1, 'the connection and its FQDN stay');
  assert.deepEqual(telnyx.unroute(conn, NUMBER, await telnyx.observe(conn, NUMBER, target)), []);
  assert.deepEqual(tx.violations, []);
});

test("every page of the account's numbers is read", async () => {
  const all = await telnyx.listNumbers(telnyx.conn(values())!);
  assert.equal(all.length, 302);
  assert.ok(all.includes(NUMBER) && all.includes(OTHER_NUMBER));
});

test('a wrong key and a number not in the account each fail in one line that names the fix, never the key', async () => {
  const bad = telnyx.conn({ ...values(), TELNYX_API_KEY: 'KEYwrong-key-123456' })!;
  await assert.rejects(telnyx.observe(bad, NUMBER, telnyx.target(values())), (e: Error) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /^Telnyx rejected TELNYX_API_KEY \(401: 10009 Authentication failed.*\): check the key under Telnyx portal → Account settings → API Keys, https:\/\/portal\.telnyx\.com\/#\/api-keys$/);
    assert.ok(!e.message.includes('wrong-key') && !e.message.includes('\n'));
    return true;
  });
  assert.equal(tx.requests.at(-1)!.path, '/v2/balance', 'the key is checked by reading the balance');
  const conn = telnyx.conn(values())!;
  await assert.rejects(telnyx.observe(conn, '+15550009999', telnyx.target(values())), (e: Error) => e instanceof UsageError && /^\+15550009999 is not a number of this Telnyx account: /.test(e.message));
  tx.fault({ match: 'POST /v2/fqdn_connections', status: 503, times: 1 });
  const before = [...tx.connections.values()].find((c) => c.connection_name === 'create-sip-inbound')!;
  tx.connections.delete(before.id);
  const conn2 = telnyx.conn(values())!;
  const target = telnyx.target(values());
  const report = await applyPlan(telnyx.plan(conn2, NUMBER, target, await telnyx.observe(conn2, NUMBER, target)));
  assert.match(String((report.failed?.error as Error).message), /^Telnyx failed to create FQDN connection "create-sip-inbound" \(503: 10007 Injected failure\): a problem on Telnyx's side/);
  tx.connections.set(before.id, before);
});

test('the stand-in refuses a request its published document would refuse, in Telnyx\'s error shape, and 401 without the key', async () => {
  const post = (path: string, body: unknown, key = tx.apiKey) =>
    fetch(`${tx.url}/v2${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const res = await post('/fqdn_connections', { connection_name: 'x', transport_protocol: 'CARRIER-PIGEON', inbound: { dnis_number_format: '+E.164' } });
  assert.equal(res.status, 422);
  const body = (await res.json()) as { errors: Array<{ code: string; title: string; detail: string }> };
  assert.ok(body.errors.every((e) => Object.keys(e).sort().join() === 'code,detail,title'));
  const details = body.errors.map((e) => e.detail).join('\n');
  assert.match(details, /body\.transport_protocol: "CARRIER-PIGEON" is not one of UDP, TCP, TLS/);
  assert.match(details, /body\.inbound\.dnis_number_format: "\+E\.164" is not one of \+e164, e164, national, sip_username/);
  assert.equal((await post('/fqdns', { fqdn: 'x', connection_id: '1' })).status, 422, 'dns_record_type is required');
  const q = await fetch(`${tx.url}/v2/phone_numbers?filter[phone_numbr]=1`, { headers: { authorization: `Bearer ${tx.apiKey}` } });
  assert.equal(q.status, 422);
  assert.match(JSON.stringify(await q.json()), /query filter\.phone_numbr: not in the document/);
  const anon = await fetch(`${tx.url}/v2/balance`);
  assert.equal(anon.status, 401);
  assert.deepEqual(await anon.json(), { errors: [{ code: '10009', title: 'Authentication failed', detail: 'Could not understand the provided credentials.' }] });
  assert.equal((await post('/call_control_applications', { application_name: 'x', webhook_event_url: 'https://example.com' }, 'KEYnope')).status, 401);
  assert.equal(tx.apps.size, 0);
  assert.deepEqual(tx.violations, []);
});

test('a connection name under three characters is found by listing them all (the name filter needs three)', async () => {
  const v = { ...values(), LIVEKIT_SIP_TRUNK_NAME: 'ab' };
  const first = await converge(v);
  assert.equal(first[0], 'Telnyx: create FQDN connection "ab" (TCP, caller and called number as +E.164)');
  assert.equal(tx.requests.filter((r) => r.path === '/v2/fqdn_connections' && r.method === 'GET').at(-1)!.query.some(([k]) => k.startsWith('filter')), false);
  assert.deepEqual(await converge(v), []);
  assert.deepEqual(tx.violations, []);
});

test('the stand-in refuses a short name filter under the status the operation lists (400 here, no 422)', async () => {
  const res = await fetch(`${tx.url}/v2/fqdn_connections?filter[connection_name][contains]=ab`, { headers: { authorization: `Bearer ${tx.apiKey}` } });
  assert.equal(res.status, 400);
  assert.match(JSON.stringify(await res.json()), /needs at least three characters/);
  assert.deepEqual(tx.violations, []);
});
