// Telnyx's explanation of a failed call from its call.hangup event: where the fields are found in a call event's
// metadata, which SIP answer a sip_hangup_cause / hangup_cause pair stands for, and the cause and fix that come of it;
// then read from the stand-in's call events for a call known by its call_control_id alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callIdParts, testCallId } from '../../src/carriers/telnyx/calls.ts';
import { answerOf, explainHangup, explainTelnyxCall, hangupOf } from '../../src/carriers/telnyx/explain.ts';
import { carrierNamed } from '../../src/carriers/index.ts';
import { telnyxConn } from '../../src/carriers/telnyx/http.ts';
import { applyPlan } from '../../src/changes.ts';
import { startTelnyx, type TelnyxStandIn } from '../stand-ins/telnyx.ts';
import { refused } from '../stand-ins/swml-executor.ts';
import { NUMBER, OTHER_NUMBER } from '../fixtures.ts';

const at = { e164: NUMBER, sipDomain: 'p.sip.livekit.cloud' };

test("the hangup's fields are found in the webhook's payload, flat, or under another wrapper; absent ones are left out", () => {
  const payload = { hangup_cause: 'not_found', hangup_source: 'callee', sip_hangup_cause: '404' };
  const want = { hangupCause: 'not_found', hangupSource: 'callee', sipCode: 404 };
  assert.deepEqual(hangupOf({ event: { record_type: 'event', event_type: 'call.hangup', payload } }), want);
  assert.deepEqual(hangupOf(payload), want);
  assert.deepEqual(hangupOf({ raw: { data: { payload } } }), want);
  assert.deepEqual(hangupOf({ event: { payload: { hangup_cause: 'timeout', hangup_source: 'unknown', sip_hangup_cause: 'unspecified' } } }), { hangupCause: 'timeout' });
  assert.equal(hangupOf({}), undefined);
  assert.equal(hangupOf({ event: { payload: { state: 'hangup' } } }), undefined);
});

test('sip_hangup_cause names the answer; without one, hangup_cause of the same meaning; a normal end or no cause explains nothing', () => {
  const cases: Array<[Parameters<typeof answerOf>[0], ReturnType<typeof answerOf>]> = [
    [{ sipCode: 404, hangupCause: 'not_found' }, { code: 404, from: 'sip' }],
    [{ sipCode: 503, hangupCause: 'unspecified' }, { code: 503, from: 'sip' }],
    [{ hangupCause: 'not_found' }, { code: 404, from: 'cause' }],
    [{ hangupCause: 'user_busy' }, { code: 486, from: 'cause' }],
    [{ hangupCause: 'call_rejected' }, { code: 403, from: 'cause' }],
    [{ hangupCause: 'no_answer' }, { code: 480, from: 'cause' }],
    [{ hangupCause: 'timeout' }, { code: undefined, from: 'cause' }],
    [{ hangupCause: 'originator_cancel', sipCode: 487, hangupSource: 'caller' }, { code: undefined, from: 'cancel' }],
    [{ hangupCause: 'originator_cancel' }, { code: undefined, from: 'cancel' }],
    [{ hangupCause: 'originator_cancel', sipCode: 404 }, { code: 404, from: 'sip' }],
    [{ hangupCause: 'normal_clearing', sipCode: 200 }, null],
    [{ hangupCause: 'normal_clearing' }, null],
    [{ hangupCause: 'time_limit' }, null],
    [{ sipCode: 200 }, null],
    [{}, null],
  ];
  for (const [h, want] of cases) assert.deepEqual(answerOf(h), want, JSON.stringify(h));
});

test('one cause and one fix, naming the fields it rests on, and saying when the code comes from hangup_cause alone', () => {
  const e404 = explainHangup({ sipCode: 404, hangupCause: 'not_found', hangupSource: 'callee' }, at)!;
  assert.equal(e404.code, 404);
  assert.match(e404.cause, /^LiveKit SIP answered 404 Not Found: no inbound trunk \(or no dispatch rule\) takes \+14244851544.*\(Telnyx call events: sip_hangup_cause 404, hangup_cause not_found, hangup_source callee\)$/);
  assert.match(e404.fix, /put \+14244851544 on the inbound trunk/);

  const busy = explainHangup({ hangupCause: 'user_busy' }, at)!;
  assert.equal(busy.code, 486);
  assert.match(busy.cause, /Busy Here.*sip_hangup_cause unspecified, hangup_cause user_busy; the code is read from hangup_cause, Telnyx recorded no SIP code\)$/);

  const timeout = explainHangup({ sipCode: 408, hangupCause: 'timeout' }, at)!;
  assert.match(timeout.cause, /^no SIP answer from p\.sip\.livekit\.cloud \(Telnyx gave up: 408 Request Timeout\)/);
  assert.match(timeout.fix, /Telnyx's signalling addresses in allowedAddresses/);

  const cancelled = explainHangup({ sipCode: 487, hangupCause: 'originator_cancel', hangupSource: 'caller' }, at)!;
  assert.equal(cancelled.code, undefined);
  assert.match(cancelled.cause, /^no SIP answer from p\.sip\.livekit\.cloud: .*; the caller side ended the call before any final SIP answer\)$/);

  assert.equal(explainHangup({ sipCode: 200, hangupCause: 'normal_clearing' }, at), undefined);
  assert.equal(explainHangup({ hangupCause: 'unspecified' }, at), undefined);
});

test("the test call's id keeps the call_control_id first and the leg after it; a bare call_control_id reads as such", () => {
  const id = testCallId('v3:abc_DEF-1', '428c31b6-7af4-4bcb-b7f5-5013ef9657c1');
  assert.equal(id, 'v3:abc_DEF-1 leg 428c31b6-7af4-4bcb-b7f5-5013ef9657c1');
  assert.deepEqual(callIdParts(id), { control: 'v3:abc_DEF-1', leg: '428c31b6-7af4-4bcb-b7f5-5013ef9657c1' });
  assert.deepEqual(callIdParts('v3:abc_DEF-1'), { control: 'v3:abc_DEF-1' });
  assert.equal(testCallId('v3:x'), 'v3:x');
});

let tx: TelnyxStandIn;
before(async () => {
  tx = await startTelnyx({ dialer: async () => refused(486, 'Busy Here') });
  tx.addNumber(NUMBER);
  tx.addNumber(OTHER_NUMBER);
});
after(() => tx.stop());

test('a call known by its call_control_id alone: its leg is read from the Call resource, then its events', async () => {
  const values = { ...tx.settings(), LIVEKIT_SIP_DOMAIN: at.sipDomain };
  const telnyx = carrierNamed('telnyx');
  const conn = telnyxConn(values)!;
  const target = telnyx.target(values);
  // Routed as the setup leaves it, so the stand-in's call reaches the dialer, which answers 486.
  await applyPlan(telnyx.plan(conn, NUMBER, target, await telnyx.observe(conn, NUMBER, target)));
  const id = await telnyx.testCall!.dial(conn, { from: OTHER_NUMBER, to: NUMBER, line: 'x', seconds: 5, ringSec: 5 });
  await new Promise((r) => setTimeout(r, 50));
  const e = await explainTelnyxCall(conn, { id: callIdParts(id).control, since: new Date(0), ...at }, { waitMs: 10 });
  assert.equal(e?.code, 486);
  assert.match(e!.cause, /sip_hangup_cause 486, hangup_cause user_busy, hangup_source callee\)$/);
  assert.ok(tx.requests.some((r) => r.method === 'GET' && /^\/v2\/calls\/v3(:|%3A)/i.test(r.path)), 'the leg came from the Call resource');
  assert.equal(await explainTelnyxCall(conn, { since: new Date(0), ...at }), undefined, 'a live call (no id) is not explained');
  assert.deepEqual(tx.violations, []);
});
