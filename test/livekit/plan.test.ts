// The trunk and the rule through the real SDK against the stand-in: first run, rerun, changes, a foreign trunk.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateSIPDispatchRuleRequest,
  CreateSIPInboundTrunkRequest,
  UpdateSIPDispatchRuleRequest,
  UpdateSIPInboundTrunkRequest,
} from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { UsageError } from '../../src/errors.ts';
import { generateSipAuth, listTrunkNumbers, observeLiveKit } from '../../src/services/livekit.ts';
import { planLiveKit } from '../../src/services/livekit-changes.ts';
import { AUTH, connOf, converge, desired, NUMBER, SECOND, writes, sharedStandIn } from './helpers.ts';
import { UNRELATED_NUMBER } from '../fixtures.ts';

const stand = sharedStandIn();

const only = <T>(items: Iterable<T>): T => {
  const list = [...items];
  assert.equal(list.length, 1, `expected exactly one, got ${list.length}`);
  return list[0]!;
};

describe('first run', () => {
  test('creates one trunk with the number and digest auth, and one individual rule naming the agent', async () => {
    const changes = await converge(connOf(stand.lk), desired());
    assert.deepEqual(
      changes.map((c) => c.summary),
      [
        `LiveKit trunk "create-sip-inbound": create with ${NUMBER} (digest auth on, user ${AUTH.username})`,
        'LiveKit dispatch rule "create-sip-inbound": create (individual, rooms "sip-…", agent inbound-agent)',
      ],
    );
    assert.ok(!changes.some((c) => c.summary.includes(AUTH.password)), 'no password in a plan line');

    const [createTrunk, createRule] = writes(stand.lk);
    assert.equal(writes(stand.lk).length, 2);
    assert.ok(createTrunk?.body instanceof CreateSIPInboundTrunkRequest);
    const t = createTrunk.body.trunk!;
    assert.equal(t.name, 'create-sip-inbound');
    assert.deepEqual(t.numbers, [NUMBER]);
    assert.equal(t.authUsername, AUTH.username);
    assert.equal(t.authPassword, AUTH.password);

    assert.ok(createRule?.body instanceof CreateSIPDispatchRuleRequest);
    const r = createRule.body;
    const trunk = only(stand.lk.trunks.values());
    assert.equal(r.name, 'create-sip-inbound');
    assert.deepEqual(r.trunkIds, [trunk.sipTrunkId]);
    assert.equal(r.rule?.rule.case, 'dispatchRuleIndividual');
    assert.equal(r.rule.rule.value.roomPrefix, 'sip-');
    assert.deepEqual(r.roomConfig?.agents.map((a) => a.agentName), ['inbound-agent']);
    assert.equal(only(stand.lk.rules.values()).trunkIds[0], trunk.sipTrunkId);
  });

  test('without an agent name the rule names none (automatic dispatch); --no-sip-auth leaves auth off', async () => {
    const changes = await converge(connOf(stand.lk), desired({ agentName: '', auth: null }));
    assert.match(changes[0]!.summary, /\(digest auth off\)$/);
    assert.match(changes[1]!.summary, /automatic dispatch/);
    const trunk = only(stand.lk.trunks.values());
    assert.equal(trunk.authUsername, '');
    assert.equal(only(stand.lk.rules.values()).roomConfig?.agents.length ?? 0, 0);
  });
});

describe('rerun', () => {
  test('nothing changed: zero changes and no write call', async () => {
    await converge(connOf(stand.lk), desired());
    const from = stand.lk.requests.length;
    const changes = await converge(connOf(stand.lk), desired());
    assert.deepEqual(changes, []);
    assert.deepEqual(writes(stand.lk, from), []);
    assert.ok(stand.lk.requests.length > from, 'it did look (list calls)');
  });

  test('a new agent name updates only the rule, keeping its other fields', async () => {
    await converge(connOf(stand.lk), desired());
    const rule = only(stand.lk.rules.values());
    rule.metadata = 'kept';
    const trunkBefore = only(stand.lk.trunks.values()).clone();
    const from = stand.lk.requests.length;

    const changes = await converge(connOf(stand.lk), desired({ agentName: 'sales-agent' }));
    assert.deepEqual(changes.map((c) => c.summary), ['LiveKit dispatch rule "create-sip-inbound": agent inbound-agent → sales-agent']);
    const w = only(writes(stand.lk, from));
    assert.equal(w.rpc, 'UpdateSIPDispatchRule');
    assert.ok(w.body instanceof UpdateSIPDispatchRuleRequest);
    assert.equal(w.body.action.case, 'replace', 'roomConfig cannot be field-updated');
    const after = only(stand.lk.rules.values());
    assert.deepEqual(after.roomConfig?.agents.map((a) => a.agentName), ['sales-agent']);
    assert.equal(after.metadata, 'kept');
    assert.equal(after.sipDispatchRuleId, rule.sipDispatchRuleId);
    assert.ok(only(stand.lk.trunks.values()).equals(trunkBefore), 'trunk untouched');
    assert.deepEqual(await converge(connOf(stand.lk), desired({ agentName: 'sales-agent' })), []);
  });

  test('clearing the agent name turns the rule to automatic dispatch', async () => {
    await converge(connOf(stand.lk), desired());
    const changes = await converge(connOf(stand.lk), desired({ agentName: '' }));
    assert.deepEqual(changes.map((c) => c.summary), ['LiveKit dispatch rule "create-sip-inbound": agent inbound-agent → none (automatic dispatch)']);
    assert.equal(only(stand.lk.rules.values()).roomConfig?.agents.length, 0);
  });

  test('a second number joins the same trunk with a ListUpdate add; numbers others put there stay', async () => {
    await converge(connOf(stand.lk), desired());
    const trunk = only(stand.lk.trunks.values());
    // Someone adds a number of their own by hand.
    const sip = new SipClient(stand.lk.url, stand.lk.apiKey, stand.lk.apiSecret);
    await sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { numbers: new (await import('@livekit/protocol')).ListUpdate({ add: [UNRELATED_NUMBER] }) });
    const from = stand.lk.requests.length;

    const changes = await converge(connOf(stand.lk), desired({ number: SECOND }));
    assert.deepEqual(changes.map((c) => c.summary), [`LiveKit trunk "create-sip-inbound": add ${SECOND} (numbers ${NUMBER}, +15550001111 → ${NUMBER}, +15550001111, ${SECOND})`]);
    const w = only(writes(stand.lk, from));
    assert.ok(w.body instanceof UpdateSIPInboundTrunkRequest);
    assert.equal(w.body.action.case, 'update');
    assert.deepEqual(w.body.action.value?.numbers?.add, [SECOND]);
    assert.deepEqual(w.body.action.value?.numbers?.set, [], 'never replaces the list');
    assert.deepEqual(only(stand.lk.trunks.values()).numbers, [NUMBER, UNRELATED_NUMBER, SECOND]);
    assert.equal(stand.lk.rules.size, 1);
    assert.deepEqual((await listTrunkNumbers(connOf(stand.lk), 'create-sip-inbound')).sort(), [NUMBER, SECOND, UNRELATED_NUMBER].sort());
  });

  test('new digest credentials update the trunk; the password never shows in the plan', async () => {
    await converge(connOf(stand.lk), desired());
    const fresh = generateSipAuth();
    const changes = await converge(connOf(stand.lk), desired({ auth: fresh }));
    assert.deepEqual(changes.map((c) => c.summary), [`LiveKit trunk "create-sip-inbound": digest user ${AUTH.username} → ${fresh.username}, password •••• → •••• (new)`]);
    const t = only(stand.lk.trunks.values());
    assert.equal(t.authUsername, fresh.username);
    assert.equal(t.authPassword, fresh.password);

    const off = await converge(connOf(stand.lk), desired({ auth: { ...fresh, password: `${fresh.password}x` } }));
    assert.deepEqual(off.map((c) => c.summary), ['LiveKit trunk "create-sip-inbound": digest password •••• → •••• (new)']);
    const none = await converge(connOf(stand.lk), desired({ auth: null }));
    assert.deepEqual(none.map((c) => c.summary), [`LiveKit trunk "create-sip-inbound": turn digest auth off (digest user ${fresh.username} → none)`]);
    assert.equal(only(stand.lk.trunks.values()).authUsername, '');
  });

  test('a rule deleted by hand is created again for the existing trunk', async () => {
    await converge(connOf(stand.lk), desired());
    stand.lk.rules.clear();
    const changes = await converge(connOf(stand.lk), desired());
    assert.deepEqual(changes.map((c) => c.summary), ['LiveKit dispatch rule "create-sip-inbound": create (individual, rooms "sip-…", agent inbound-agent)']);
    assert.deepEqual(only(stand.lk.rules.values()).trunkIds, [only(stand.lk.trunks.values()).sipTrunkId]);
  });
});

describe('the number on a trunk that is not ours', () => {
  async function handMade() {
    const sip = new SipClient(stand.lk.url, stand.lk.apiKey, stand.lk.apiSecret);
    const trunk = await sip.createSipInboundTrunk('my hand-made trunk', [NUMBER]);
    return { sip, trunk };
  }

  test('planning stops with a UsageError that names the trunk and the way out', async () => {
    const { trunk } = await handMade();
    const state = await observeLiveKit(connOf(stand.lk), desired());
    assert.equal(state.foreignTrunk?.sipTrunkId, trunk.sipTrunkId);
    assert.equal(state.trunk, undefined);
    assert.throws(
      () => planLiveKit(connOf(stand.lk), desired(), state),
      (err: unknown) =>
        err instanceof UsageError &&
        err.message.includes(`${NUMBER} is already on LiveKit inbound trunk "my hand-made trunk" (${trunk.sipTrunkId})`) &&
        err.message.includes('use that trunk') &&
        !err.message.includes('\n'),
    );
  });

  test('with useForeignTrunk that trunk is used: auth set on it, a rule created for it, no second trunk', async () => {
    const { trunk } = await handMade();
    const changes = await converge(connOf(stand.lk), desired(), { useForeignTrunk: true });
    assert.deepEqual(changes.map((c) => c.summary), [
      `LiveKit trunk "my hand-made trunk": digest user none → ${AUTH.username}, password none → •••• (new)`,
      'LiveKit dispatch rule "create-sip-inbound": create (individual, rooms "sip-…", agent inbound-agent)',
    ]);
    assert.equal(stand.lk.trunks.size, 1);
    assert.deepEqual(only(stand.lk.rules.values()).trunkIds, [trunk.sipTrunkId]);
    assert.deepEqual(await converge(connOf(stand.lk), desired(), { useForeignTrunk: true }), []);
  });

  test('a rule someone else made for that trunk is reused, not duplicated (LiveKit refuses two)', async () => {
    const { sip, trunk } = await handMade();
    await sip.createSipDispatchRule({ type: 'individual', roomPrefix: 'call-' }, { name: 'theirs', trunkIds: [trunk.sipTrunkId] });
    const changes = await converge(connOf(stand.lk), desired(), { useForeignTrunk: true });
    assert.equal(changes.at(-1)!.summary, 'LiveKit dispatch rule "theirs": rooms individual "call-" → individual "sip-"; agent none (automatic dispatch) → inbound-agent');
    const rule = only(stand.lk.rules.values());
    assert.equal(rule.name, 'theirs');
    assert.equal(rule.rule?.rule.case, 'dispatchRuleIndividual');
    assert.equal(rule.rule.rule.value.roomPrefix, 'sip-');
  });
});

test('a non-E.164 number is refused before anything is planned', () => {
  assert.throws(() => planLiveKit(connOf(stand.lk), desired({ number: '4244851544' }), { numbers: [], trunks: [], rules: [] }), UsageError);
});

test('generateSipAuth: sip-xxxxxxxx and a 32-character URL-safe password, different each time', () => {
  const a = generateSipAuth();
  const b = generateSipAuth();
  assert.match(a.username, /^sip-[0-9a-f]{8}$/);
  assert.match(a.password, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a.password, b.password);
  assert.notEqual(a.username, b.username);
});
