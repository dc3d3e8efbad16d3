// LiveKit as it really matches numbers, through the real SDK against the stand-in: a trunk holding the number
// in another form serves it (and is found, never duplicated), a rule's own `numbers` filter can leave the
// number out, and the plan and the check judge all of it the same way (trunkFor / ruleFor).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SIPInboundTrunkInfo } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { liveKitHops } from '../../src/check/livekit-hops.ts';
import { UsageError } from '../../src/errors.ts';
import { applyPlan } from '../../src/changes.ts';
import { generateSipAuth, observeLiveKit } from '../../src/services/livekit.ts';
import { planLiveKit } from '../../src/services/livekit-changes.ts';
import type { Values } from '../../src/settings.ts';
import { TwirpFailure } from '../stand-ins/livekit.ts';
import { AUTH, connOf, converge, desired, NUMBER, sharedStandIn, writes } from './helpers.ts';
import { CALLER, THEIR_NUMBER } from '../fixtures.ts';

const stand = sharedStandIn();
const OTHER = THEIR_NUMBER;
const sip = () => new SipClient(stand.lk.url, stand.lk.apiKey, stand.lk.apiSecret);
const values = (over: Values = {}): Values => ({
  PHONE_NUMBER: NUMBER,
  LIVEKIT_SIP_USERNAME: AUTH.username,
  LIVEKIT_SIP_PASSWORD: AUTH.password,
  AGENT_NAME: 'inbound-agent',
  ...over,
});
/** The check's LiveKit hops, by id. */
async function check(over: Values = {}) {
  const found = await liveKitHops(connOf(stand.lk), values(over));
  return Object.fromEntries(found.hops.map((h) => [h.id, h]));
}
/** A rule for one trunk with its own numbers filter (the SDK's create takes no filter: replace sets it). */
async function narrowed(roomPrefix: string, trunkId: string, numbers: string[], name = '') {
  const rule = await sip().createSipDispatchRule({ type: 'individual', roomPrefix }, { name, trunkIds: [trunkId] });
  rule.numbers = numbers;
  return sip().updateSipDispatchRule(rule.sipDispatchRuleId, rule);
}
const rejectsWith = (code: string, message: RegExp) => (e: unknown) => e instanceof TwirpFailure && e.code === code && message.test(e.message);
const sdkRejects = (message: RegExp) => (e: { status?: number; code?: string; message?: string }) =>
  e.status === 400 && e.code === 'invalid_argument' && message.test(e.message ?? '');

describe('the stand-in matches numbers as LiveKit does', () => {
  test('a trunk holding 14244851544 or "+1 424 485 1544" serves a call to +14244851544; one trunk may hold both forms', async () => {
    const t = await sip().createSipInboundTrunk('by hand', ['14244851544', '+1 424 485 1544', NUMBER]);
    await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { trunkIds: [t.sipTrunkId] });
    const call = await stand.lk.simulateCall({ to: NUMBER, from: CALLER });
    assert.equal(stand.lk.rooms.get(call.room)?.participants[0]?.attributes['sip.trunkID'], t.sipTrunkId);
  });

  test('a second trunk with the number in another form is refused with LiveKit\'s message, on create and on update', async () => {
    const t = await sip().createSipInboundTrunk('by hand', ['14244851544']);
    await assert.rejects(
      sip().createSipInboundTrunk('ours', [NUMBER]),
      sdkRejects(new RegExp(`^Conflicting inbound SIP Trunks: "<new>" and "${t.sipTrunkId}", using the same number\\(s\\) \\["\\+14244851544"\\] without AllowedNumbers set$`)),
    );
    const other = await sip().createSipInboundTrunk('other', [OTHER]);
    const { ListUpdate } = await import('@livekit/protocol');
    await assert.rejects(
      sip().updateSipInboundTrunkFields(other.sipTrunkId, { numbers: new ListUpdate({ add: ['+1 424 485 1544'] }) }),
      sdkRejects(/^Conflicting inbound SIP Trunks: "ST_\w+" and "ST_\w+"/),
    );
    // AllowedNumbers that differ once normalised tell two trunks apart; the same caller in two forms does not.
    await sip().createSipInboundTrunk('vip', [NUMBER], { allowedNumbers: ['16505300051'] });
    await assert.rejects(sip().createSipInboundTrunk('vip2', [NUMBER], { allowedNumbers: [CALLER] }), sdkRejects(/and AllowedNumber "\+16505300051"$/));
  });

  test('the trunk list filter matches any form of the number, and keeps trunks holding no numbers', async () => {
    const held = await sip().createSipInboundTrunk('held', ['(1) 424-485-1544']);
    const any = await sip().createSipInboundTrunk('any', []);
    await sip().createSipInboundTrunk('other', [OTHER]);
    const listed = await sip().listSipInboundTrunk({ numbers: [NUMBER] });
    assert.deepEqual(listed.map((t) => t.sipTrunkId).sort(), [held.sipTrunkId, any.sipTrunkId].sort());
  });

  test('a rule\'s own numbers filter compares the called number as written; rules for one trunk may split numbers', async () => {
    const t = await sip().createSipInboundTrunk('t', [NUMBER, OTHER]);
    await narrowed('other-', t.sipTrunkId, [OTHER]);
    await assert.rejects(stand.lk.simulateCall({ to: NUMBER, from: CALLER }), rejectsWith('not_found', /no dispatch rule/));
    await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { trunkIds: [t.sipTrunkId] });
    assert.match((await stand.lk.simulateCall({ to: NUMBER, from: CALLER })).room, /^sip-_/);
    assert.match((await stand.lk.simulateCall({ to: OTHER, from: CALLER })).room, /^other-_/, 'the narrower rule wins for its number');
  });

  test('two trunks holding one number (stored before LiveKit checked forms) fail the call: Multiple SIP Trunks matched', async () => {
    stand.lk.trunks.set('ST_a', new SIPInboundTrunkInfo({ sipTrunkId: 'ST_a', name: 'a', numbers: [NUMBER] }));
    stand.lk.trunks.set('ST_b', new SIPInboundTrunkInfo({ sipTrunkId: 'ST_b', name: 'b', numbers: ['14244851544'] }));
    await assert.rejects(stand.lk.simulateCall({ to: NUMBER, from: CALLER }), rejectsWith('failed_precondition', /^Multiple SIP Trunks matched for "\+14244851544"$/));
  });
});

describe('a trunk holding the number in another form', () => {
  for (const form of ['14244851544', '+1 424 485 1544']) {
    test(`"${form}" on a hand-made trunk is found and offered, never duplicated; the check calls it serving`, async () => {
      const t = await sip().createSipInboundTrunk('made by hand', [form]);
      const from = stand.lk.requests.length;
      const state = await observeLiveKit(connOf(stand.lk), desired());
      assert.equal(state.foreignTrunk?.sipTrunkId, t.sipTrunkId);
      assert.throws(
        () => planLiveKit(connOf(stand.lk), desired(), state),
        (e: unknown) => e instanceof UsageError && e.message.includes(`(as "${form}", which LiveKit matches to ${NUMBER})`) && e.message.includes('use that trunk'),
      );

      const changes = await converge(connOf(stand.lk), desired(), { useForeignTrunk: true });
      assert.ok(!changes.some((c) => /add \+1/.test(c.summary)), 'the number is not added again');
      assert.equal(stand.lk.trunks.size, 1);
      assert.deepEqual(stand.lk.trunks.get(t.sipTrunkId)?.numbers, [form]);
      assert.ok(!writes(stand.lk, from).some((w) => w.rpc === 'CreateSIPInboundTrunk'), 'no trunk created');

      const hops = await check();
      assert.equal(hops.trunk?.ok, true, hops.trunk?.detail);
      assert.ok(hops.trunk!.detail!.includes(`held as "${form}" (LiveKit matches it to ${NUMBER})`), hops.trunk!.detail);
      assert.equal(hops.rule?.ok, true, hops.rule?.detail);
      assert.match((await stand.lk.simulateCall({ to: NUMBER, from: CALLER, auth: AUTH })).room, /^sip-_/);
      assert.deepEqual(await converge(connOf(stand.lk), desired(), { useForeignTrunk: true }), [], 'a rerun changes nothing');
    });
  }

  test('our own trunk holding it without "+" needs no number added', async () => {
    await sip().createSipInboundTrunk('create-sip-inbound', ['14244851544'], { authUsername: AUTH.username, authPassword: AUTH.password });
    const changes = await converge(connOf(stand.lk), desired());
    assert.deepEqual(changes.map((c) => c.summary), ['LiveKit dispatch rule "create-sip-inbound": create (individual, rooms "sip-…", agent inbound-agent)']);
    assert.equal((await check()).trunk?.ok, true);
  });

  test('two trunks holding it: the plan refuses and the check fails, both naming the two trunks', async () => {
    stand.lk.trunks.set('ST_a', new SIPInboundTrunkInfo({ sipTrunkId: 'ST_a', name: 'create-sip-inbound', numbers: [NUMBER] }));
    stand.lk.trunks.set('ST_b', new SIPInboundTrunkInfo({ sipTrunkId: 'ST_b', name: 'legacy', numbers: ['14244851544'] }));
    const named = `"create-sip-inbound" (ST_a) as "${NUMBER}", "legacy" (ST_b) as "14244851544"`;
    const state = await observeLiveKit(connOf(stand.lk), desired());
    assert.throws(() => planLiveKit(connOf(stand.lk), desired(), state, { useForeignTrunk: true }), (e: unknown) => e instanceof UsageError && e.message.includes(named));
    const hops = await check();
    assert.equal(hops.trunk?.ok, false);
    assert.ok(hops.trunk!.detail!.includes(named), hops.trunk!.detail);
    assert.match(hops.trunk!.detail!, /Multiple SIP Trunks matched/);
  });

  test('a catch-all trunk (no numbers) does not hold it: the check says where calls go, the plan makes our trunk', async () => {
    await sip().createSipInboundTrunk('catch-all', []);
    const before = await check();
    assert.equal(before.trunk?.ok, false);
    assert.match(before.trunk!.detail!, /calls go to trunk "catch-all", which holds no numbers/);
    await converge(connOf(stand.lk), desired());
    const after = await check();
    assert.equal(after.trunk?.ok, true, after.trunk?.detail);
    assert.equal(after.rule?.ok, true, after.rule?.detail);
  });
});

describe('a rule narrowed to another number', () => {
  test('the check says it does not cover the number, the plan adds it, and then both are satisfied (no loop)', async () => {
    await converge(connOf(stand.lk), desired());
    const rule = [...stand.lk.rules.values()][0]!.clone();
    rule.numbers = [OTHER];
    await sip().updateSipDispatchRule(rule.sipDispatchRuleId, rule);

    const hops = await check();
    assert.equal(hops.rule?.ok, false);
    assert.match(hops.rule!.detail!, new RegExp(`rule "create-sip-inbound" does not cover \\+14244851544: its numbers filter holds only \\${OTHER}`));
    assert.match(hops.rule!.fix!, /adds \+14244851544 to the rule's numbers/);

    const changes = await converge(connOf(stand.lk), desired());
    assert.deepEqual(changes.map((c) => c.summary), [`LiveKit dispatch rule "create-sip-inbound": numbers ${OTHER} → ${OTHER}, ${NUMBER}`]);
    assert.deepEqual([...stand.lk.rules.values()][0]!.numbers, [OTHER, NUMBER], 'the other number stays covered');
    assert.equal((await check()).rule?.ok, true);
    assert.match((await stand.lk.simulateCall({ to: NUMBER, from: CALLER, auth: AUTH })).room, /^sip-_/);
    assert.deepEqual(await converge(connOf(stand.lk), desired()), []);
  });

  test('someone else\'s rule narrowed to another number stays; ours is created beside it', async () => {
    await converge(connOf(stand.lk), desired());
    const trunk = [...stand.lk.trunks.values()][0]!;
    stand.lk.rules.clear();
    await narrowed('other-', trunk.sipTrunkId, [OTHER], 'theirs');
    assert.equal((await check()).rule?.ok, false);
    const changes = await converge(connOf(stand.lk), desired());
    assert.deepEqual(changes.map((c) => c.summary), ['LiveKit dispatch rule "create-sip-inbound": create (individual, rooms "sip-…", agent inbound-agent)']);
    assert.equal(stand.lk.rules.size, 2);
    assert.equal((await check()).rule?.ok, true);
  });
});

describe('a trunk and rule another run created meanwhile are reused: one of each, the trunk keeping the other run\'s login', () => {
  test('a listing read long ago is looked at again just before creating', async () => {
    const ours = desired();
    const state = await observeLiveKit(connOf(stand.lk), ours);
    const changes = planLiveKit(connOf(stand.lk), ours, { ...state, readAt: Date.now() - 60_000 });
    assert.equal(changes.length, 2);
    // Another run finishes first, with its own generated login.
    const theirs = generateSipAuth();
    await converge(connOf(stand.lk), desired({ auth: theirs }));
    const from = stand.lk.requests.length;
    const report = await applyPlan(changes);
    assert.equal(report.failed, undefined);
    assert.equal(stand.lk.trunks.size, 1);
    assert.equal(stand.lk.rules.size, 1);
    assert.deepEqual(writes(stand.lk, from).map((w) => w.rpc), [], 'no create, and the login stays');
    const trunk = [...stand.lk.trunks.values()][0]!;
    assert.deepEqual([trunk.authUsername, trunk.authPassword], [theirs.username, theirs.password]);
  });

  test('a fresh listing is trusted; a create LiveKit refuses because another run just made ours is turned into reusing it', async () => {
    const ours = desired();
    const changes = planLiveKit(connOf(stand.lk), ours, await observeLiveKit(connOf(stand.lk), ours));
    const theirs = generateSipAuth();
    await converge(connOf(stand.lk), desired({ auth: theirs }));
    const from = stand.lk.requests.length;
    const report = await applyPlan(changes);
    assert.equal(report.failed, undefined, String(report.failed?.error));
    assert.deepEqual(
      stand.lk.requests.slice(from).map((r) => `${r.rpc} ${r.status}`),
      ['CreateSIPInboundTrunk 400', 'ListSIPInboundTrunk 200', 'ListSIPDispatchRule 200'],
      'the create refused as a conflict, the trunk found reused as it is, and its rule looked up (another run\'s trunk may have one)',
    );
    assert.equal(stand.lk.trunks.size, 1);
    assert.equal(stand.lk.rules.size, 1);
    const trunk = [...stand.lk.trunks.values()][0]!;
    assert.deepEqual([trunk.authUsername, trunk.authPassword], [theirs.username, theirs.password]);
  });
});

test('plan lines show old → new, the digest password only masked', async () => {
  await converge(connOf(stand.lk), desired({ agentName: '', auth: null }));
  const fresh = generateSipAuth();
  const changes = await converge(connOf(stand.lk), desired({ auth: fresh, agentName: 'sales-agent' }));
  assert.deepEqual(changes.map((c) => c.summary), [
    `LiveKit trunk "create-sip-inbound": digest user none → ${fresh.username}, password none → •••• (new)`,
    'LiveKit dispatch rule "create-sip-inbound": agent none (automatic dispatch) → sales-agent',
  ]);
  assert.ok(!changes.some((c) => c.summary.includes(fresh.password)), 'no password in a plan line');
});
