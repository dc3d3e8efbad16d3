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
const values = () => ({ ...tx.settings(), LIVEKIT_SIP_DOMAIN: 'abc.sip.livekit.cloud' });
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
    `Telnyx ${NUMBER}: put on connection "create-sip-inbound" (now: connection 42 "create-sip-inbound-old"; noted in its tags, for remove to restore)`,
  ]);
  assert.deepEqual(number().tags, ['create-sip-inbound:previous-connection=42'], 'the connection it left, noted for remove');
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

test('un-routing puts the number back on the connection it was on before the setup and drops our tag; twice is a no-op', async () => {
  const conn = telnyx.conn(values())!;
  const target = telnyx.target(values());
  const changes = telnyx.unroute(conn, NUMBER, await telnyx.observe(conn, NUMBER, target));
  assert.equal(changes.length, 1);
  assert.match(changes[0]!.summary, /^Telnyx \+14244851544: take off connection "create-sip-inbound" \(connection \d+ → connection 42, its connection before the setup\)$/);
  await applyPlan(changes);
  assert.equal(number().connection_id, '42');
  assert.deepEqual(number().tags, []);
  assert.equal(tx.fqdns.size, 1, 'the connection and its FQDN stay');
  assert.deepEqual(telnyx.unroute(conn, NUMBER, await telnyx.observe(conn, NUMBER, target)), []);
  assert.deepEqual(tx.violations, []);
});

test('a number on no connection before the setup is left on none by remove, and its other tags are kept', async () => {
  number().connection_id = null;
  number().tags = ['sales'];
  assert.deepEqual(await converge(), [`Telnyx ${NUMBER}: put on connection "create-sip-inbound" (now: no connection)`]);
  assert.deepEqual(number().tags, ['sales'], 'nothing to note');
  const conn = telnyx.conn(values())!;
  const changes = telnyx.unroute(conn, NUMBER, await telnyx.observe(conn, NUMBER, telnyx.target(values())));
  assert.match(changes[0]!.summary, /→ none: no earlier connection is noted\)$/);
  await applyPlan(changes);
  assert.equal(number().connection_id, null);
  assert.deepEqual(number().tags, ['sales']);
  assert.deepEqual(tx.violations, []);
});
