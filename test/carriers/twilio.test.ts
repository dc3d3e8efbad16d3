// Twilio through the carrier seam, against a stand-in that checks every request and answer against Twilio's
// published OpenAPI documents: the number is routed once, a second plan is empty, remove detaches it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { carrierNamed } from '../../src/carriers/index.ts';
import { applyPlan } from '../../src/changes.ts';
import { UsageError } from '../../src/errors.ts';
import { startTwilio, type TwilioStandIn } from '../stand-ins/twilio.ts';
import { NUMBER, OTHER_NUMBER } from '../fixtures.ts';

let tw: TwilioStandIn;
before(async () => {
  tw = await startTwilio();
  tw.addNumber(NUMBER, 'https://example.com/voice');
  tw.addNumber(OTHER_NUMBER);
});
after(() => tw.stop());

const twilio = carrierNamed('twilio');
const values = () => ({ ...tw.settings(), LIVEKIT_SIP_DOMAIN: 'abc.sip.livekit.cloud' });

async function converge() {
  const conn = twilio.conn(values())!;
  const target = twilio.target(values());
  const changes = twilio.plan(conn, NUMBER, target, await twilio.observe(conn, NUMBER, target));
  const report = await applyPlan(changes);
  assert.equal(report.failed, undefined, String(report.failed?.error));
  return changes.map((c) => c.summary);
}

test('no connection until the SID and token are given; the trunk admits Twilio by address, not by login', () => {
  assert.equal(twilio.conn({ TWILIO_ACCOUNT_SID: 'AC1' }), undefined);
  const needs = twilio.trunkNeeds({});
  assert.equal(needs.kind, 'addresses');
  assert.ok(needs.kind === 'addresses' && needs.addresses.length > 0 && needs.addresses.every((a) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(a)));
});

test('routes the number: a trunk, its origination URL over TCP, the number attached; a rerun changes nothing', async () => {
  const first = await converge();
  assert.deepEqual(first, [
    'Twilio: create Elastic SIP trunk "create-sip-inbound"',
    'Twilio trunk "create-sip-inbound": add origination URL sip:abc.sip.livekit.cloud;transport=tcp',
    `Twilio ${NUMBER}: attach to trunk "create-sip-inbound" (now: no trunk)`,
  ]);
  const [trunk] = [...tw.trunks.values()];
  assert.equal([...tw.origins.values()][0]!.sip_url, 'sip:abc.sip.livekit.cloud;transport=tcp');
  assert.equal([...tw.numbers.values()].find((n) => n.phone_number === NUMBER)!.trunk_sid, trunk!.sid);
  const writes = tw.writes().length;
  assert.deepEqual(await converge(), []);
  assert.equal(tw.writes().length, writes, 'the rerun wrote nothing');
  assert.deepEqual(tw.violations, []);
});

test('a new SIP domain changes the origination URL in place, old → new', async () => {
  const conn = twilio.conn(values())!;
  const target = twilio.target({ ...values(), LIVEKIT_SIP_DOMAIN: 'new.sip.livekit.cloud' });
  const changes = twilio.plan(conn, NUMBER, target, await twilio.observe(conn, NUMBER, target));
  assert.deepEqual(changes.map((c) => c.summary), ['Twilio trunk "create-sip-inbound": origination URL sip:abc.sip.livekit.cloud;transport=tcp → sip:new.sip.livekit.cloud;transport=tcp']);
  await applyPlan(changes);
  assert.deepEqual(await converge(), ['Twilio trunk "create-sip-inbound": origination URL sip:new.sip.livekit.cloud;transport=tcp → sip:abc.sip.livekit.cloud;transport=tcp']);
});

test('un-routing detaches the number from our trunk and nothing else; twice is a no-op', async () => {
  const conn = twilio.conn(values())!;
  const target = twilio.target(values());
  const changes = twilio.unroute(conn, NUMBER, await twilio.observe(conn, NUMBER, target));
  assert.equal(changes.length, 1);
  assert.match(changes[0]!.summary, /^Twilio \+14244851544: detach from trunk "create-sip-inbound" \(trunk TK\w+ → none\)$/);
  await applyPlan(changes);
  assert.equal([...tw.numbers.values()].find((n) => n.phone_number === NUMBER)!.trunk_sid, null);
  assert.equal(tw.trunks.size, 1, 'the trunk stays');
  assert.deepEqual(twilio.unroute(conn, NUMBER, await twilio.observe(conn, NUMBER, target)), []);
});

test('a wrong token and a number not in the account each fail in one line that names the fix, never the token', async () => {
  const bad = twilio.conn({ ...values(), TWILIO_AUTH_TOKEN: 'wrong-token-123456' })!;
  await assert.rejects(twilio.observe(bad, NUMBER, twilio.target(values())), (e: Error) => e instanceof UsageError && /TWILIO_AUTH_TOKEN/.test(e.message) && !e.message.includes('wrong-token'));
  const conn = twilio.conn(values())!;
  await assert.rejects(twilio.observe(conn, '+15550009999', twilio.target(values())), (e: Error) => e instanceof UsageError && /not a number of this Twilio account/.test(e.message));
});

test('the stand-in refuses a request its published document would refuse', async () => {
  const res = await fetch(`${tw.url}/v1/Trunks/TKnot-a-sid/OriginationUrls`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${tw.accountSid}:${tw.authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'SipUrl=sip%3Ax',
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { code: number; message: string; more_info: string; status: number };
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status']);
  assert.match(body.message, /path TrunkSid/);
  assert.match(body.message, /form\.Weight: required/);
});
