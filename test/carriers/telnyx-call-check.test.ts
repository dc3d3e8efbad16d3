// `check --call` for a Telnyx number, against the LiveKit, PostgREST and Telnyx stand-ins: Telnyx places the call
// from another number of the account through a Call Control application, our FQDN connection carries it into LiveKit
// SIP (the stand-in's simulated call), and the check walks it through to the agent, then ends it; a call that does
// not reach LiveKit is explained from its leg's call.hangup event (GET /v2/call_events).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ListUpdate } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { carrierNamed } from '../../src/carriers/index.ts';
import { TELNYX_SIGNALLING } from '../../src/carriers/telnyx/index.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startTelnyx } from '../stand-ins/telnyx.ts';
import { NUMBER, OTHER_NUMBER } from '../check/helpers.ts';
import { addressCarrierWorld, callCheck } from './address-carrier.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

/** A number on Telnyx as the setup leaves it; `o` is passed to the stand-in (a hangup event that comes late). */
const telnyxWorld = async (t: TestContext, sourceAddress?: string, o: { hangupEventDelayMs?: number } = {}) => {
  const { s, standIn: tx, values } = await addressCarrierWorld(t, pg, {
    id: 'telnyx',
    addresses: TELNYX_SIGNALLING,
    start: (d) => startTelnyx({ ...d, ...o }),
    values: (tx) => tx.settings(),
  }, sourceAddress);
  return { s, tx, values };
};

test('a Telnyx number: the test call goes through the FQDN connection into LiveKit, the agent joins, the check ends it', async (t) => {
  const { s, tx, values } = await telnyxWorld(t);
  const asked: string[] = [];
  const r = await callCheck(values, s.envFile, asked);
  const call = r.call!;
  assert.equal(call.ok, true, JSON.stringify(call, null, 1));
  assert.match(asked[0]!, /places one call of at most 3 s from \+13105550100 to \+14244851544; Telnyx bills it/);
  assert.deepEqual(call.steps.slice(0, 4).map((x) => [x.title, x.ok]), [
    ['Telnyx placed the call', true],
    ['Room created', true],
    ['SIP participant called our number', true],
    ['Agent joined', true],
  ]);
  const placed = [...tx.calls.values()][0]!;
  assert.equal(placed.is_alive, false, 'the check ended the call');
  assert.equal(placed.sip?.code, 200);
  assert.ok(!call.steps.some((x) => /Telnyx call events/.test(`${x.detail} ${x.fix}`)), 'nothing explained');
  assert.ok(!tx.requests.some((x) => x.path.startsWith('/v2/call_events')), 'a call that reached LiveKit is not explained');
  // Asked anyway, the leg's record says the call was answered and cleared normally: nothing to explain.
  const hangup = tx.events.find((e) => e.call_leg_id === placed.call_leg_id && e.name === 'call.hangup')!;
  assert.deepEqual((hangup.metadata.event as { payload: Record<string, string> }).payload.hangup_cause, 'normal_clearing');
  assert.equal(await carrierNamed('telnyx').explain!(carrierNamed('telnyx').conn(values)!, { id: call.callId, since: new Date(0), e164: NUMBER }), undefined);
  assert.deepEqual(tx.violations, []);
  assert.ok(!JSON.stringify(r).includes(tx.apiKey), 'no key in the report');
});

/** The GET /v2/call_events requests the check made. */
const eventReads = (tx: Awaited<ReturnType<typeof startTelnyx>>) => tx.requests.filter((x) => x.method === 'GET' && x.path === '/v2/call_events');

test("from an address outside Telnyx's ranges LiveKit's trunk does not answer, and the leg's call.hangup says why", async (t) => {
  const { s, tx, values } = await telnyxWorld(t, '10.0.0.1');
  const r = await callCheck(values, s.envFile);
  const call = r.call!;
  assert.equal(call.ok, false);
  const placed = [...tx.calls.values()][0]!;
  assert.equal(placed.sip?.code, 408, 'no answer from LiveKit');
  const red = call.steps.find((x) => !x.ok && !x.skipped)!;
  assert.equal(red.title, 'LiveKit SIP answered');
  assert.match(
    red.detail!,
    /^no SIP answer from .* \(Telnyx gave up: 408 Request Timeout\): LiveKit ignores, without answering, an INVITE from an address its trunk does not allow.*\(Telnyx call events: sip_hangup_cause 408, hangup_cause timeout, hangup_source callee\)$/,
  );
  assert.match(red.fix!, /Telnyx's signalling addresses in allowedAddresses/);
  assert.match(red.fix!, /our FQDN connection must send to \S+ over TCP$/, "in Telnyx's words, not Twilio's origination URL");
  assert.equal(call.detail, red.detail);
  const reads = eventReads(tx);
  assert.equal(reads.length, 1, 'the events were read once');
  assert.equal(new Map(reads[0]!.query).get('filter[leg_id]'), placed.call_leg_id, "read by the test call's leg");
  assert.deepEqual(tx.violations, []);
});

test("a number missing from LiveKit's trunk: the 404 in the call.hangup event becomes its cause and fix", async (t) => {
  const { s, tx, values } = await telnyxWorld(t);
  const sip = new SipClient(s.lk.url, s.lk.apiKey, s.lk.apiSecret);
  const [trunk] = [...s.lk.trunks.values()];
  await sip.updateSipInboundTrunkFields(trunk!.sipTrunkId, { numbers: new ListUpdate({ set: [OTHER_NUMBER] }) });
  const call = (await callCheck(values, s.envFile)).call!;
  assert.equal([...tx.calls.values()][0]!.sip?.code, 404);
  const red = call.steps.find((x) => !x.ok && !x.skipped)!;
  assert.equal(red.title, 'LiveKit SIP answered');
  assert.match(red.detail!, new RegExp(`^LiveKit SIP answered 404 Not Found: no inbound trunk \\(or no dispatch rule\\) takes \\${NUMBER}.*\\(Telnyx call events: sip_hangup_cause 404, hangup_cause not_found, hangup_source callee\\)$`));
  assert.match(red.fix!, new RegExp(`put \\${NUMBER} on the inbound trunk.*--number \\${NUMBER}`));
  assert.deepEqual(call.steps.filter((x) => x.skipped).map((x) => x.title), ['Room created', 'SIP participant called our number', 'Agent joined']);
  assert.deepEqual(tx.violations, []);
});

test('a hangup Telnyx records late is waited for, and then explained', async (t) => {
  const { s, tx, values } = await telnyxWorld(t, '10.0.0.1', { hangupEventDelayMs: 700 });
  const red = (await callCheck(values, s.envFile)).call!.steps.find((x) => !x.ok && !x.skipped)!;
  assert.match(red.detail!, /sip_hangup_cause 408, hangup_cause timeout/);
  assert.ok(eventReads(tx).length >= 2, 'asked again while the leg had no call.hangup event');
  assert.deepEqual(tx.violations, []);
});

test('Telnyx failing to list the call events: the check says how far the call got and where to look', async (t) => {
  const { s, tx, values } = await telnyxWorld(t, '10.0.0.1');
  tx.fault({ match: /^GET \/v2\/call_events/, status: 500 });
  const red = (await callCheck(values, s.envFile)).call!.steps.find((x) => !x.ok && !x.skipped)!;
  assert.match(red.detail!, /the call did not reach LiveKit, or LiveKit SIP dropped it \(Telnyx reports it completed\)/);
  assert.match(red.fix!, /LiveKit's trunk admits Telnyx's signalling addresses/);
});

test('a number taken off the FQDN connection: its hangup names no cause, so the check says how far the call got', async (t) => {
  const { s, tx, values } = await telnyxWorld(t);
  for (const n of tx.numbers.values()) n.connection_id = null;
  const call = (await callCheck(values, s.envFile)).call!;
  const placed = [...tx.calls.values()][0]!;
  assert.equal(placed.sip, undefined, 'no INVITE left Telnyx');
  const red = call.steps.find((x) => !x.ok && !x.skipped)!;
  assert.match(red.detail!, /the call did not reach LiveKit, or LiveKit SIP dropped it \(Telnyx reports it completed\)/);
  assert.match(red.fix!, /Telnyx number routes to LiveKit SIP/);
  assert.equal(eventReads(tx).length, 1, 'the events were read, and their hangup named no cause');
});
