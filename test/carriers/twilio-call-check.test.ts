// `check --call` for a Twilio number, against the LiveKit, PostgREST and Twilio stand-ins: Twilio places the call
// from another number of the account, our trunk's origination URL carries it into LiveKit SIP (the stand-in's
// simulated call), and the check walks it through to the agent, then ends it; from an address outside Twilio's
// ranges the trunk does not answer, and Voice Insights' call summary says why.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ListUpdate } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { TWILIO_SIGNALLING } from '../../src/carriers/twilio/index.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startTwilio } from '../stand-ins/twilio.ts';
import { NUMBER, OTHER_NUMBER } from '../check/helpers.ts';
import { addressCarrierWorld, callCheck } from './address-carrier.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

/** A number on Twilio as the setup leaves it. */
const twilioWorld = async (t: TestContext, sourceAddress?: string) => {
  const { s, standIn: tw, values } = await addressCarrierWorld(t, pg, {
    id: 'twilio',
    addresses: TWILIO_SIGNALLING,
    start: startTwilio,
    values: (tw) => tw.settings(),
  }, sourceAddress);
  return { s, tw, values };
};

test('a Twilio number: the test call goes through the trunk into LiveKit, the agent joins, the check ends it', async (t) => {
  const { s, tw, values } = await twilioWorld(t);
  const asked: string[] = [];
  const r = await callCheck(values, s.envFile, asked);
  const call = r.call!;
  assert.equal(call.ok, true, JSON.stringify(call, null, 1));
  assert.match(asked[0]!, /places one call of at most 3 s from \+13105550100 to \+14244851544; Twilio bills it/);
  assert.deepEqual(call.steps.slice(0, 4).map((x) => [x.title, x.ok]), [
    ['Twilio placed the call', true],
    ['Room created', true],
    ['SIP participant called our number', true],
    ['Agent joined', true],
  ]);
  const placed = [...tw.calls.values()][0]!;
  assert.equal(placed.status, 'completed', 'the check ended the call');
  assert.equal(placed.sip?.code, 200);
  assert.deepEqual(tw.violations, []);
  assert.ok(!JSON.stringify(r).includes(tw.authToken), 'no token in the report');
});

test("from an address outside Twilio's ranges LiveKit's trunk does not answer, and Voice Insights says why", async (t) => {
  const { s, tw, values } = await twilioWorld(t, '10.0.0.1');
  const r = await callCheck(values, s.envFile);
  const call = r.call!;
  assert.equal(call.ok, false);
  assert.equal([...tw.calls.values()][0]!.sip?.code, 408, 'no answer from LiveKit');
  const red = call.steps.find((x) => !x.ok && !x.skipped)!;
  assert.equal(red.title, 'LiveKit SIP answered');
  assert.match(red.detail!, /^no SIP answer from .* \(Twilio gave up: 408 Request Timeout\): LiveKit ignores, without answering, an INVITE from an address its trunk does not allow.*\(Twilio Voice Insights, partial summary\)$/);
  assert.match(red.fix!, /allowedAddresses/);
  assert.equal(call.detail, red.detail);
  const summaries = tw.requests.filter((x) => x.method === 'GET' && /^\/v1\/Voice\/CA[0-9a-f]{32}\/Summary$/.test(x.path));
  assert.equal(summaries.length, 1, 'the summary was read once');
  assert.deepEqual(tw.violations, []);
});

test('a number missing from LiveKit\'s trunk: the 404 in the summary becomes its cause and fix', async (t) => {
  const { s, tw, values } = await twilioWorld(t);
  const sip = new SipClient(s.lk.url, s.lk.apiKey, s.lk.apiSecret);
  const [trunk] = [...s.lk.trunks.values()];
  await sip.updateSipInboundTrunkFields(trunk!.sipTrunkId, { numbers: new ListUpdate({ set: [OTHER_NUMBER] }) });
  const call = (await callCheck(values, s.envFile)).call!;
  assert.equal([...tw.calls.values()][0]!.sip?.code, 404);
  const red = call.steps.find((x) => !x.ok && !x.skipped)!;
  assert.equal(red.title, 'LiveKit SIP answered');
  assert.match(red.detail!, new RegExp(`^LiveKit SIP answered 404 Not Found: no inbound trunk \\(or no dispatch rule\\) takes \\${NUMBER}`));
  assert.match(red.fix!, new RegExp(`--number \\${NUMBER}`));
  assert.deepEqual(call.steps.filter((x) => x.skipped).map((x) => x.title), ['Room created', 'SIP participant called our number', 'Agent joined']);
});

test('no summary in Voice Insights: the check says how far the call got and where to look', async (t) => {
  const { s, tw, values } = await twilioWorld(t, '10.0.0.1');
  tw.fault({ match: /^GET \/v1\/Voice\//, status: 404 });
  const red = (await callCheck(values, s.envFile)).call!.steps.find((x) => !x.ok && !x.skipped)!;
  assert.match(red.detail!, /^no room was created: the call did not reach LiveKit, or LiveKit SIP dropped it \(Twilio reports it no-answer\)$/);
  assert.match(red.fix!, /LiveKit's trunk admits Twilio's signalling addresses/);
});

test('a number taken off the Twilio trunk: no SIP answer in the summary, so the check says how far the call got', async (t) => {
  const { s, tw, values } = await twilioWorld(t);
  for (const n of tw.numbers.values()) n.trunk_sid = null;
  const call = (await callCheck(values, s.envFile)).call!;
  const placed = [...tw.calls.values()][0]!;
  assert.equal(placed.status, 'failed');
  assert.equal(placed.sip, undefined, 'no INVITE left Twilio');
  const red = call.steps.find((x) => !x.ok && !x.skipped)!;
  assert.match(red.detail!, /^no room was created: the call did not reach LiveKit, or LiveKit SIP dropped it \(Twilio reports it failed\)$/);
  assert.match(red.fix!, /Twilio number routes to LiveKit SIP/);
  assert.ok(tw.requests.some((x) => /\/Summary$/.test(x.path)), 'the summary was read, and held no SIP answer');
});
