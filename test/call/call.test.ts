// `check --call` against the stand-ins: SignalWire places the call, runs our number's SWML into the LiveKit
// stand-in, and the check walks the hops; each failure is one line of cause and one of fix from SignalWire's
// log, with no secret anywhere in the report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SIPDispatchRule, SIPDispatchRuleDirect } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { runChecks, type CheckReport } from '../../src/check/run.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { callWorld, FROM, NUMBER, OTHER_NUMBER, swmlWith, type CallWorld } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const check = (w: CallWorld, call: Record<string, unknown> = {}, asked: string[] = []) =>
  runChecks(w.values, {
    print: false,
    probe: false,
    live: false,
    envFile: w.envFile,
    pollMs: 25,
    interactionWaitMs: 0,
    call: { seconds: 3, settleMs: 100, ringSec: 1, confirm: async (text: string) => (asked.push(text), true), ...call },
  });

const dials = (w: CallWorld) => w.sw.requests.filter((r) => r.method === 'POST' && r.path === '/api/calling/calls' && (r.body as { command?: string }).command === 'dial');

/** The call's first red step, and the report holds one line each for cause and fix, and no secret. */
function redStep(w: CallWorld, r: CheckReport) {
  const call = r.call!;
  assert.equal(call.ok, false);
  assert.equal(r.ok, false);
  for (const s of [call.detail, call.fix ?? '', ...call.steps.flatMap((x) => [x.detail ?? '', x.fix ?? ''])]) assert.doesNotMatch(s, /[\r\n]/);
  const text = JSON.stringify(r);
  for (const secret of w.secrets) assert.ok(!text.includes(secret), 'a secret in the report');
  return call.steps.find((s) => !s.ok && !s.skipped);
}

test('a correct setup: the full path goes green hop by hop, with timings, and the check ends its call', async (t) => {
  const w = await callWorld(t, pg);
  const asked: string[] = [];
  const r = await check(w, {}, asked);
  const call = r.call!;
  assert.equal(call.ok, true, JSON.stringify(call, null, 1));
  assert.equal(r.ok, true);
  assert.match(asked[0]!, new RegExp(`places one call of at most 3 s from \\${FROM} to \\${NUMBER}; SignalWire bills it`));
  assert.deepEqual(
    call.steps.map((s) => [s.title, s.ok]),
    [
      ['SignalWire placed the call', true],
      ['Our number ran our SWML', true],
      ['Room created', true],
      ['SIP participant called our number', true],
      ['Agent joined', true],
      ['LiveKit SIP answered', true],
      ['Agent report', true],
      ['Interactions row', false],
      ['Call ended', true],
    ],
  );
  // The stand-in's agent reports nothing and logs nothing: both are noted, neither fails the call.
  assert.ok(call.steps.filter((s) => s.title === 'Agent report' || s.title === 'Interactions row').every((s) => s.skipped));
  const room = call.steps.find((s) => s.title === 'Room created')!;
  assert.match(room.detail!, /^the call reached LiveKit: sip-_\+16505300051_/);
  assert.ok(room.atMs! >= 0 && room.atMs! < 3000);
  assert.ok(call.steps.find((s) => s.title === 'Agent joined')!.atMs! >= room.atMs!);
  assert.match(call.steps.at(-1)!.detail!, /calling\.end sent/);
  // The dial as SignalWire takes it: our caller SWML says one line, waits, hangs up.
  const params = (dials(w)[0]!.body as { params: { from: string; to: string; swml: { sections: { main: unknown[] } } } }).params;
  assert.equal(params.from, FROM);
  assert.equal(params.to, NUMBER);
  assert.deepEqual(params.swml.sections.main.at(-1), { hangup: {} });
  assert.deepEqual(w.sw.endedByApi, [call.callId]);
  assert.equal(w.sw.logs.get(call.callId!)!.status, 'completed');
});

test('the LiveKit leg alone dials the SIP URI with the trunk login and goes green', async (t) => {
  const w = await callWorld(t, pg);
  const r = await check(w, { leg: 'livekit' });
  assert.equal(r.call!.ok, true, JSON.stringify(r.call, null, 1));
  const params = (dials(w)[0]!.body as { params: Record<string, unknown> }).params;
  assert.equal(params.to, `sip:${NUMBER}@${w.values.LIVEKIT_SIP_DOMAIN};transport=tcp`);
  assert.equal(params.username, w.values.LIVEKIT_SIP_USERNAME);
  assert.ok(r.call!.steps.find((s) => s.title === 'Our number ran our SWML')!.skipped);
});

test('a SWML with a wrong password: red at the LiveKit SIP hop with the login explanation', async (t) => {
  const w = await callWorld(t, pg, {});
  w.sw.scripts.values().next().value!.contents = swmlWith(w.values, { password: '********' });
  const step = redStep(w, await check(w))!;
  assert.equal(step.title, 'LiveKit SIP answered');
  assert.match(step.detail!, /LiveKit SIP answered 40[17] .*the SIP login the SWML sends does not match the trunk's digest username and password/);
  assert.match(step.fix!, /LIVEKIT_SIP_USERNAME \/ LIVEKIT_SIP_PASSWORD.*\*{8}/);
  assert.equal(w.lk.rooms.size, 0);
});

test('a number missing from the trunk: the 404 explanation, with how LiveKit normalises it', async (t) => {
  const w = await callWorld(t, pg, { trunkNumbers: [OTHER_NUMBER] });
  const r = await check(w);
  const step = redStep(w, r)!;
  assert.equal(step.title, 'LiveKit SIP answered');
  assert.match(step.detail!, /404 No trunk found: no inbound trunk \(or no dispatch rule\) matches the called number; "\+14244851544" normalises to "\+14244851544"/);
  assert.match(step.fix!, /--number \+14244851544/);
});

test('a default rule added by hand: the doctor notes it, and it fails nothing', async (t) => {
  const w = await callWorld(t, pg);
  const sip = new SipClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);
  const junk = await sip.createSipDispatchRule({ type: 'individual', roomPrefix: 'call-' }, { name: 'hand-made' });
  const r = await runChecks(w.values, { print: false, probe: false, live: false, envFile: w.envFile });
  // Our rule names our trunk, so LiveKit never gives this default rule our calls: noted, and the check passes.
  const doctor = r.hops.filter((h) => h.id === 'doctor');
  assert.deepEqual(doctor.map((h) => h.ok), [true], JSON.stringify(r.hops, null, 1));
  assert.match(doctor[0]!.detail!, new RegExp(`^note: rule "hand-made" \\(${junk.sipDispatchRuleId}\\) names no trunk: a default rule for calls no specific rule takes`));
});

test('a named worker with a rule that names no agent: named, and the call shows no agent joined', async (t) => {
  const w = await callWorld(t, pg, { ruleAgent: null });
  const r = await check(w);
  const rule = r.hops.find((h) => h.id === 'rule')!;
  assert.match(rule.detail!, /names no agent, but AGENT_NAME is "inbound-agent"/);
  const step = redStep(w, r)!;
  assert.equal(step.title, 'Agent joined');
  assert.ok(r.call!.steps.find((s) => s.title === 'Room created')!.ok);
});

test('a rule that hides phone numbers: the call is still known by our trunk, and the doctor says what it means', async (t) => {
  const w = await callWorld(t, pg);
  for (const r of w.lk.rules.values()) r.hidePhoneNumber = true;
  const r = await check(w);
  assert.equal(r.call!.ok, true, JSON.stringify(r.call, null, 1));
  assert.match(r.call!.steps.find((s) => s.title === 'SIP participant called our number')!.detail!, /^on our trunk \(sip\.trunkID\); the rule hides phone numbers \(hidePhoneNumber\)/);
  assert.ok(r.hops.some((h) => h.id === 'doctor' && h.ok && /^warning: .*hides phone numbers/.test(h.detail!)), JSON.stringify(r.hops, null, 1));
});

test('a direct rule puts every call in one room: a call in it from before is not ours, the new one is', async (t) => {
  const w = await callWorld(t, pg);
  const rule = [...w.lk.rules.values()][0]!;
  rule.rule = new SIPDispatchRule({ rule: { case: 'dispatchRuleDirect', value: new SIPDispatchRuleDirect({ roomName: 'sip-support' }) } });
  // An earlier caller still in the room when the check starts.
  await w.lk.simulateCall({ to: NUMBER, from: OTHER_NUMBER, auth: { username: w.values.LIVEKIT_SIP_USERNAME!, password: w.values.LIVEKIT_SIP_PASSWORD! } });
  const r = await check(w);
  assert.equal(r.call!.ok, true, JSON.stringify(r.call, null, 1));
  assert.match(r.call!.steps.find((s) => s.title === 'SIP participant called our number')!.detail!, new RegExp(`sip\\.phoneNumber \\${FROM}$`));
});

test('a trial space (one number): refused before dialling, naming why', async (t) => {
  const w = await callWorld(t, pg, { otherNumbers: [], signalwire: { trial: true } });
  const asked: string[] = [];
  const r = await check(w, {}, asked);
  assert.equal(r.call!.ok, false);
  assert.match(r.call!.detail, /^no call placed: .* holds one number, as a space in Trial Mode does/);
  assert.match(r.call!.fix!, /--from .*--leg livekit/);
  assert.equal(asked.length, 0, 'not even asked');
  assert.equal(dials(w).length, 0, 'nothing dialled');
  // Following the hint with a number that is not verified never sends the person back to the number itself.
  const from = await check(w, { from: '+12125550123' });
  assert.match(from.call!.fix!, /^verify it .*, or pass --leg livekit, which needs no caller$/);
  assert.doesNotMatch(from.call!.fix!, new RegExp(`pick one of \\${NUMBER}`));
});

test('a trial space forced onto the LiveKit leg: 603 with nothing in the log is explained', async (t) => {
  const w = await callWorld(t, pg, { otherNumbers: [], signalwire: { trial: true } });
  const step = redStep(w, await check(w, { leg: 'livekit' }))!;
  assert.match(step.detail!, /declined the SIP call \(603\).*Trial Mode/);
  assert.match(step.fix!, /fund/);
});

test('--from a number that is neither the space\'s nor verified: refused before dialling', async (t) => {
  const w = await callWorld(t, pg);
  const r = await check(w, { from: '+12125550123' });
  assert.match(r.call!.detail, /--from \+12125550123 is neither a number of .* nor a verified caller ID/);
  assert.equal(dials(w).length, 0);
  w.sw.verified.add('+12125550123');
  const ok = await check(w, { from: '+12125550123' });
  assert.equal(ok.call!.ok, true, JSON.stringify(ok.call, null, 1));
});

test('faults: a 402 balance refusal and a missing Voice scope are one line each; an unanswered call is named', async (t) => {
  const w = await callWorld(t, pg);
  w.sw.fault({ match: 'POST /api/calling/calls', status: 402, times: 1 });
  const step = redStep(w, await check(w))!;
  assert.equal(step.title, 'SignalWire placed the call');
  assert.match(step.detail!, /402/);
  assert.match(step.fix!, /add funds/);

  w.sw.neverAnswer = true;
  const never = redStep(w, await check(w))!;
  assert.equal(never.title, 'Our number ran our SWML');
  assert.match(never.detail!, /no-answer: \+14244851544 never answered/);
  w.sw.neverAnswer = false;

  w.sw.tokenScopes.delete('voice');
  const scope = await check(w);
  assert.match(scope.call!.detail, /^no call placed: .*lacks the Voice scope/);
  assert.match(scope.call!.fix!, /enable the Voice scope/);
});

test('a SWML dialling the wrong SIP domain: no answer there, named with both hosts', async (t) => {
  const w = await callWorld(t, pg);
  w.sw.scripts.values().next().value!.contents = swmlWith(w.values, { to: 'sip:%{call.to}@old.sip.livekit.cloud;transport=tcp' });
  const step = redStep(w, await check(w))!;
  assert.equal(step.title, 'Our number ran our SWML');
  assert.ok(step.detail!.includes(`the SWML dials old.sip.livekit.cloud, not LIVEKIT_SIP_DOMAIN ${w.values.LIVEKIT_SIP_DOMAIN}`), step.detail);
});

test('check --live with SignalWire credentials explains a call that never reached LiveKit from the log', async (t) => {
  const w = await callWorld(t, pg);
  w.sw.scripts.values().next().value!.contents = swmlWith(w.values, { password: '********' });
  const r = await runChecks(w.values, {
    print: false,
    probe: false,
    live: true,
    timeoutSec: 1,
    pollMs: 25,
    envFile: w.envFile,
    onLiveStart: () => void w.sw.callNumber(NUMBER, FROM),
  });
  assert.equal(r.live!.ok, false);
  assert.match(r.live!.detail, /^no call reached LiveKit: LiveKit SIP answered 401 Unauthorized: the SIP login the SWML sends does not match/);
  assert.match(r.live!.fix!, /LIVEKIT_SIP_PASSWORD/);
});
