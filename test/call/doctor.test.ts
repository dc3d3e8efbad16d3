// The LiveKit doctor as a pure judgement over trunks and rules, one finding per problem, each one line with a
// fix; and the explanation of each SIP answer, one cause and one fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomAgentDispatch, RoomConfiguration, SIPDispatchRule, SIPDispatchRuleIndividual, SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import { diagnose, doctorHops } from '../../src/check/doctor.ts';
import { explainLeg, explainSip, sipAnswerOf } from '../../src/carriers/signalwire/explain.ts';
import { NUMBER, OTHER_NUMBER } from '../fixtures.ts';

const N = NUMBER;
const trunk = (id: string, numbers: string[], o: Partial<SIPInboundTrunkInfo> = {}) =>
  new SIPInboundTrunkInfo({ sipTrunkId: id, name: id, numbers, authUsername: 'u', authPassword: 'p', ...o });
const rule = (id: string, trunkIds: string[], o: { agent?: string; numbers?: string[]; pin?: string; callers?: string[] } = {}) =>
  new SIPDispatchRuleInfo({
    sipDispatchRuleId: id,
    name: id,
    trunkIds,
    numbers: o.numbers ?? [],
    inboundNumbers: o.callers ?? [],
    rule: new SIPDispatchRule({ rule: { case: 'dispatchRuleIndividual', value: new SIPDispatchRuleIndividual({ roomPrefix: 'sip-', pin: o.pin ?? '' }) } }),
    roomConfig: new RoomConfiguration({ agents: o.agent ? [new RoomAgentDispatch({ agentName: o.agent })] : [] }),
  });

test('a clean setup: nothing found, one green hop', () => {
  const f = diagnose({ e164: N, trunks: [trunk('ours', [N])], rules: [rule('r', ['ours'], { agent: 'a' })], ourTrunkId: 'ours', agentName: 'a' });
  assert.deepEqual(f, []);
  assert.deepEqual(doctorHops(f, N).map((h) => h.ok), [true]);
});

test('each problem around the number is one finding with its fix', () => {
  const f = diagnose({
    e164: N,
    trunks: [trunk('ours', [N]), trunk('dup', ['1 424 485 1544']), trunk('open', [], { authUsername: '', authPassword: '' })],
    rules: [rule('r1', ['ours'], { agent: 'a' }), rule('r2', ['ours'], { numbers: [NUMBER] }), rule('any', []), rule('other', ['ours'], { numbers: [OTHER_NUMBER] })],
    ourTrunkId: 'ours',
    agentName: 'a',
  });
  const by = (k: string) => f.filter((x) => x.kind === k);
  assert.match(by('duplicate-trunk')[0]!.line, /trunk "dup" \(dup\) also holds \+14244851544 as "1 424 485 1544" \(LiveKit normalises it to \+14244851544\)/);
  // A rule names our trunk, so the default rule never takes these calls: a note, not an error.
  assert.match(by('catch-all-rule')[0]!.line, /rule "any" \(any\) names no trunk: a default rule for calls no specific rule takes; the rule naming our trunk takes \+14244851544/);
  assert.equal(by('catch-all-rule')[0]!.severity, 'note');
  assert.ok(doctorHops(f, N).some((h) => h.ok && /^note: rule "any"/.test(h.detail!)));
  assert.match(by('several-rules')[0]!.line, /2 rules could take a call to \+14244851544: rule "r1" \(r1\), rule "r2" \(r2\)/);
  assert.match(by('agents')[0]!.line, /rule "r2" \(r2\) names no agent, but the worker registers "a"/);
  assert.match(by('open-trunk')[0]!.line, /trunk "open" \(open\) has no digest auth, allowed addresses or allowed numbers/);
  assert.match(by('numbers-filter')[0]!.line, /rule "other" \(other\) only takes calls to \+13105550100: not \+14244851544/);
  for (const x of f) assert.ok(x.fix && !/[\r\n]/.test(x.line + x.fix));
  // The open trunk only warns: the call works, it is just reachable by anyone.
  assert.ok(doctorHops(f, N).some((h) => h.ok && /^warning: trunk "open"/.test(h.detail!)));
});

test('a default rule is an error only where it takes the number: no rule names our trunk', () => {
  const f = diagnose({ e164: N, trunks: [trunk('ours', [N])], rules: [rule('any', [], { agent: 'a' })], ourTrunkId: 'ours', agentName: 'a' });
  const d = f.find((x) => x.kind === 'catch-all-rule')!;
  assert.equal(d.severity, 'error');
  assert.match(d.line, /names no trunk, and no rule names trunk "ours" \(ours\): this default rule takes the calls to \+14244851544/);
  assert.match(d.fix, /give the trunk its own rule/);
});

test('rules with different PINs or caller numbers take different calls: not several rules; the same key is', () => {
  const trunks = [trunk('ours', [N])];
  const pins = diagnose({ e164: N, trunks, rules: [rule('open', ['ours'], { agent: 'a' }), rule('pin', ['ours'], { agent: 'a', pin: '1234' })], ourTrunkId: 'ours', agentName: 'a' });
  assert.deepEqual(pins.filter((x) => x.kind === 'several-rules'), []);
  const callers = diagnose({ e164: N, trunks, rules: [rule('all', ['ours'], { agent: 'a' }), rule('vip', ['ours'], { agent: 'a', callers: ['+16505300051'] })], ourTrunkId: 'ours', agentName: 'a' });
  assert.deepEqual(callers.filter((x) => x.kind === 'several-rules'), []);
  const same = diagnose({ e164: N, trunks, rules: [rule('x', ['ours'], { agent: 'a', pin: '1' }), rule('y', ['ours'], { agent: 'a', pin: '1' })], ourTrunkId: 'ours', agentName: 'a' });
  assert.match(same.find((x) => x.kind === 'several-rules')!.line, /2 rules could take a call to \+14244851544: rule "x" \(x\), rule "y" \(y\)/);
});

test('a rule that hides phone numbers is named, with what it means for the agent', () => {
  const hidden = rule('r', ['ours'], { agent: 'a' });
  hidden.hidePhoneNumber = true;
  const f = diagnose({ e164: N, trunks: [trunk('ours', [N])], rules: [hidden], ourTrunkId: 'ours', agentName: 'a' });
  assert.deepEqual(f.map((x) => `${x.kind}:${x.severity}`), ['hidden-numbers:warn']);
  assert.match(f[0]!.line, /hides phone numbers \(hidePhoneNumber\): the agent gets neither sip\.trunkPhoneNumber nor sip\.phoneNumber, so it cannot load \+14244851544's settings/);
});

test('the reverse mismatch: the rule names an agent, the worker registers none', () => {
  const f = diagnose({ e164: N, trunks: [trunk('ours', [N])], rules: [rule('r', ['ours'], { agent: 'inbound-agent' })], ourTrunkId: 'ours', agentName: '' });
  assert.equal(f.length, 1);
  assert.match(f[0]!.line, /dispatches "inbound-agent", but the worker registers no agent_name/);
  assert.match(f[0]!.fix, /AGENT_NAME=inbound-agent/);
});

test('each SIP answer maps to one cause and one fix', () => {
  const c = { e164: N, sipDomain: 'abc.sip.livekit.cloud' };
  const cases: Array<[number | undefined, Record<string, string>, RegExp, RegExp]> = [
    [404, { dialled: 'sip:14244851544@abc.sip.livekit.cloud' }, /"14244851544" normalises to "\+14244851544"/, /--number \+14244851544/],
    [404, { dialled: 'sip:(424) 485-1544@abc.sip.livekit.cloud' }, /normalises to "\+4244851544".*, not \+14244851544/, /--number/],
    [404, { dialled: 'sip:{{call.to}}@abc.sip.livekit.cloud' }, /cXML syntax/, /%\{call\.to\}/],
    [407, {}, /does not match the trunk's digest username and password \(or it sends none\)/, /LIVEKIT_SIP_PASSWORD/],
    [486, { reason: 'Busy Here' }, /a trunk or dispatch rule rejects it/, /LiveKit doctor/],
    [603, {}, /Trial Mode refuses SIP/, /fund/],
    [408, { dialled: 'sip:+14244851544@abc.sip.livekit.cloud' }, /nothing at abc\.sip\.livekit\.cloud answered/, /;transport=tcp/],
    [undefined, { dialled: 'sip:+14244851544@wrong.example.com' }, /the SWML dials wrong\.example\.com, not LIVEKIT_SIP_DOMAIN/, /rerun/],
  ];
  for (const [code, extra, cause, fix] of cases) {
    const e = explainSip(code, { ...c, ...extra });
    assert.match(e.cause, cause, `${code}`);
    assert.match(e.fix, fix, `${code}`);
    assert.doesNotMatch(e.cause + e.fix, /[\r\n]/);
  }
});

test('a self-hosted LiveKit that does not answer: the number may match no trunk (it drops such calls); {{call.to}} is named whatever the answer', () => {
  const c = { e164: N, sipDomain: '127.0.0.1:5070' };
  const dropped = explainSip(408, { ...c, dialled: 'sip:+14244851544@127.0.0.1:5070;transport=tcp' });
  assert.match(dropped.cause, /a self-hosted LiveKit SIP drops, without answering, a call to a number that no inbound trunk and no dispatch rule take/);
  assert.match(dropped.fix, /--number \+14244851544.*SIP service hop above shows whether 127\.0\.0\.1:5070 answers SIP/);
  assert.match(explainSip(undefined, c).cause, /no SIP answer: nothing at 127\.0\.0\.1:5070 answered/);
  const curly = explainSip(408, { ...c, dialled: 'sip:{{call.to}}@127.0.0.1:5070;transport=tcp' });
  assert.match(curly.cause, /no SIP answer \(the carrier gave up: 408 Request Timeout\): the SWML dials the user "\{\{call\.to\}\}" literally/);
  assert.match(curly.fix, /%\{call\.to\}/);
  // Another host than the SIP domain is still the wrong domain, self-hosted or not.
  assert.match(explainSip(408, { ...c, dialled: 'sip:+14244851544@10.0.0.9:5070' }).cause, /the SWML dials 10\.0\.0\.9:5070, not LIVEKIT_SIP_DOMAIN/);
});

test('a voice-log event is read defensively: a code in any known field; else the raw event is shown, secrets masked', async () => {
  assert.deepEqual(sipAnswerOf([{ at: null, level: null, name: 'connect', details: { sip_status: '404 Not Found' } }]), { code: 404 });
  assert.deepEqual(sipAnswerOf([{ at: null, level: null, name: 'connect', details: { code: 'abc' } }]), {});
  const log = { id: 'L1', from: '+16505300051', to: `sip:${N}@abc.sip.livekit.cloud`, type: 'relay_sip_call', direction: 'outbound', status: 'failed', durationSec: 0, charge: 0, parentId: null, createdAt: null };
  const e = await explainLeg({} as never, log, { e164: N, sipDomain: 'abc.sip.livekit.cloud' }, async () => [
    { at: null, level: null, name: 'call.failed', details: { hangup_cause: 'NO_ROUTE_DESTINATION', password: 'hunter2-not-shown' } },
  ]);
  assert.ok(e);
  assert.match(e.cause, /SignalWire's last event for the leg: call\.failed \{"hangup_cause":"NO_ROUTE_DESTINATION","password":"••••"\}$/);
  assert.doesNotMatch(e.cause, /hunter2/);
});

test("a carrier trunk that admits any address is open; ours is fixed by admitting only the carrier's addresses", () => {
  const f = diagnose({
    e164: N,
    trunks: [trunk('ours', [N], { authUsername: '', authPassword: '', allowedAddresses: ['0.0.0.0/0'] })],
    rules: [rule('r1', ['ours'])],
    ourTrunkId: 'ours',
    carrierAddresses: ['54.172.60.0/30'],
  });
  const open = f.filter((x) => x.kind === 'open-trunk');
  assert.equal(open.length, 1);
  assert.match(open[0]!.line, /trunk "ours" \(ours\) has no digest auth and allows any address: anyone who knows the SIP URI and the number reaches the agent/);
  assert.match(open[0]!.fix, /admit only the carrier's signalling addresses/);
  assert.equal(open[0]!.bySetup, true);
});
