// What the LiveKit doctor finds that the setup can fix is planned by the next setup run and gone after it:
// a rule whose numbers filter leaves the number out, a rule naming no agent while AGENT_NAME is set (and the
// reverse), and our trunk open with no auth. What is not ours to change stays a finding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SipClient } from 'livekit-server-sdk';
import { diagnose, fixableBySetup, ruleNumbersTaking, type Finding } from '../../src/check/doctor.ts';
import { observeLiveKit } from '../../src/services/livekit.ts';
import { connOf, converge, desired, NUMBER } from './helpers.ts';
import { sharedStandIn } from './helpers.ts';

const stand = sharedStandIn();
const sip = () => new SipClient(stand.lk.url, stand.lk.apiKey, stand.lk.apiSecret);
const OTHER = '+13105550100';

async function findings(agentName = 'inbound-agent'): Promise<Finding[]> {
  const want = desired({ agentName });
  const state = await observeLiveKit(connOf(stand.lk), want);
  return diagnose({ e164: NUMBER, trunks: state.trunks, rules: state.rules, ourTrunkId: (state.trunk ?? state.foreignTrunk)?.sipTrunkId, agentName });
}
// kind:severity, and "setup" when the next setup run plans its fix.
const kinds = (f: Finding[]) => f.map((x) => `${x.kind}:${x.severity}${x.bySetup ? ':setup' : ''}`).sort();

test('our trunk open, our rule filtering out the number and naming no agent: planned, then clean', async () => {
  const t = await sip().createSipInboundTrunk('create-sip-inbound', [NUMBER]);
  await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { name: 'create-sip-inbound', trunkIds: [t.sipTrunkId] });
  const rule = [...stand.lk.rules.values()][0]!;
  rule.numbers = [OTHER];
  assert.deepEqual(kinds(await findings()), ['numbers-filter:error:setup', 'open-trunk:warn:setup']);
  const changes = await converge(connOf(stand.lk), desired());
  assert.ok(changes.some((c) => /trunk "create-sip-inbound": digest user none → /.test(c.summary)), changes.map((c) => c.summary).join('\n'));
  assert.ok(changes.some((c) => /numbers \+13105550100 → \+13105550100, \+14244851544/.test(c.summary)));
  assert.deepEqual(await findings(), []);
});

test('a rule naming no agent while AGENT_NAME is set, and the reverse: planned, then clean', async () => {
  const t = await sip().createSipInboundTrunk('create-sip-inbound', [NUMBER], { authUsername: 'u', authPassword: 'p' });
  await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { name: 'by hand', trunkIds: [t.sipTrunkId] });
  assert.deepEqual(kinds(await findings()), ['agents:error:setup']);
  await converge(connOf(stand.lk), desired());
  assert.deepEqual(await findings(), []);
  assert.deepEqual(kinds(await findings('')), ['agents:error:setup']);
  await converge(connOf(stand.lk), desired({ agentName: '' }));
  assert.deepEqual(await findings(''), []);
});

test('a hand-made trunk holding the number, open, with a hand-made rule: used, then clean', async () => {
  const t = await sip().createSipInboundTrunk('by hand', ['14244851544']);
  await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'call-' }, { name: 'theirs', trunkIds: [t.sipTrunkId] });
  assert.deepEqual(kinds(await findings()), ['agents:error:setup', 'open-trunk:warn:setup']);
  await converge(connOf(stand.lk), desired(), { useForeignTrunk: true });
  assert.deepEqual(await findings(), []);
});

test('a catch-all rule, a wildcard open trunk and a rule filtering the number out beside ours stay findings: not the setup\'s to change', async () => {
  const t = await sip().createSipInboundTrunk('create-sip-inbound', [NUMBER], { authUsername: 'u', authPassword: 'p' });
  const wildcard = await sip().createSipInboundTrunk('anything', []);
  await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'x-' }, { name: 'catch-all' });
  await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'y-' }, { name: 'theirs', trunkIds: [t.sipTrunkId] });
  [...stand.lk.rules.values()].find((r) => r.name === 'theirs')!.numbers = [OTHER];
  const before = await findings();
  // The catch-all is the only rule taking the call: its missing agent is the setup's (it makes our rule).
  assert.deepEqual(kinds(before), ['agents:error:setup', 'catch-all-rule:error', 'numbers-filter:warn', 'open-trunk:warn']);
  await converge(connOf(stand.lk), desired());
  const after = await findings();
  // Our rule now names our trunk: LiveKit never gives the default rule our calls, so it is only a note.
  assert.deepEqual(kinds(after), ['catch-all-rule:note', 'numbers-filter:warn', 'open-trunk:warn']);
  assert.deepEqual(fixableBySetup(after), []);
  const open = after.find((f) => f.kind === 'open-trunk')!;
  assert.equal(open.trunkId, wildcard.sipTrunkId);
  assert.match(open.fix, new RegExp(`lk sip inbound delete ${wildcard.sipTrunkId}`));
});

test('every finding the setup can fix is gone after one setup run', async () => {
  const t = await sip().createSipInboundTrunk('create-sip-inbound', [NUMBER]);
  await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { name: 'create-sip-inbound', trunkIds: [t.sipTrunkId] });
  [...stand.lk.rules.values()][0]!.numbers = ['14244851544'];
  const before = fixableBySetup(await findings());
  assert.ok(before.length >= 2, kinds(before).join());
  assert.match(before.find((f) => f.kind === 'numbers-filter')!.fix, /^rerun npx create-sip-inbound/);
  const changes = await converge(connOf(stand.lk), desired());
  // LiveKit matches the filter as written and validates it normalised: the other form is replaced, not kept.
  assert.ok(changes.some((c) => c.summary.includes('numbers 14244851544 → +14244851544')), changes.map((c) => c.summary).join('\n'));
  assert.deepEqual([...stand.lk.rules.values()][0]!.numbers, [NUMBER]);
  assert.deepEqual(await findings(), []);
});

test('a rule filter is made to take the number: other forms replaced, other numbers kept', () => {
  assert.equal(ruleNumbersTaking([], NUMBER), undefined, 'no filter takes every number');
  assert.equal(ruleNumbersTaking([OTHER, NUMBER], NUMBER), undefined);
  assert.deepEqual(ruleNumbersTaking([OTHER], NUMBER), [OTHER, NUMBER]);
  assert.deepEqual(ruleNumbersTaking(['14244851544', OTHER, '+1 424 485 1544'], NUMBER), [OTHER, NUMBER]);
});
