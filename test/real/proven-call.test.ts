// The proven call against the real LiveKit: `check --call --yes` has the SignalWire stand-in place the call,
// the number's hosted script (made by the real wizard) connects it over SIPp into the real livekit-sip, and the
// check watches the real room and agent, then ends its call. Failures are read back from the voice log: a
// wrong password in the SWML (401), a number missing from the trunk (dropped unanswered by a self-hosted
// LiveKit). `check --live` sees a call the stand-in places, and explains one that fails. The agent writes each
// call's interactions row, so the check's last step finds it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ListUpdate } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { BIN, collect, isolatedEnv } from '../helpers/cli.ts';
import { startSignalWire, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { startAgent, type AgentWorker } from './agent.ts';
import { CALLER, NUMBER, SECOND, startRealWorld, stopInOrder, waitFor, type RealWorld } from './helpers.ts';
import { sipDialer } from './sip-dialer.ts';

const AGENT = 'inbound-agent';
let w: RealWorld;
let sw: SignalWireStandIn;
let agent: AgentWorker;
let swEnv: Record<string, string>;
let ringMs = 30_000;

before(async () => {
  w = await startRealWorld();
  sw = await startSignalWire({ dialer: (d) => sipDialer({ ringMs })(d) });
  sw.addNumber(NUMBER);
  sw.addNumber(CALLER);
  swEnv = { SIGNALWIRE_SPACE_URL: sw.url, SIGNALWIRE_PROJECT_ID: sw.projectId, SIGNALWIRE_API_TOKEN: sw.apiToken, AGENT_NAME: AGENT };
  const [a, r] = await Promise.all([startAgent(w.lk, AGENT, { url: w.rest.url, serviceKey: w.rest.serviceKey }), w.cli(['--yes', '--no-interactive', '--number', NUMBER, '--no-check'], swEnv)]);
  agent = a;
  assert.equal(r.code, 0, r.stdout + r.stderr);
}, { timeout: 90_000 });
after(() => stopInOrder(agent, sw, w));

const check = (args: string[]) => w.cli(['check', ...args], swEnv);
const ours = () => [...sw.numbers.values()].find((n) => n.number === NUMBER)!;
const dials = () => sw.requests.filter((r) => r.path === '/api/calling/calls' && (r.body as { command?: string }).command === 'dial');
const ends = () => sw.requests.filter((r) => r.path === '/api/calling/calls' && (r.body as { command?: string }).command === 'calling.end').map((r) => (r.body as { id: string }).id);
const secrets = () => [w.lk.apiSecret, sw.apiToken, w.rest.serviceKey];
const noSecrets = (out: string) => {
  for (const s of secrets()) assert.ok(!out.includes(s), 'a secret in the output');
};

/** Our hosted script with its connect changed, for the length of `fn`. */
async function withSwml<T>(change: (c: Record<string, unknown>) => void, fn: () => Promise<T>): Promise<T> {
  const url = ours().call_relay_script_url;
  const script = [...sw.scripts.values()].find((s) => s.request_url === url);
  assert.ok(script, 'our number runs the hosted script the wizard made');
  const good = script.contents;
  const doc = JSON.parse(typeof good === 'string' ? good : JSON.stringify(good)) as { sections: { main: Array<{ connect: Record<string, unknown> }> } };
  change(doc.sections.main[0]!.connect);
  script.contents = JSON.stringify(doc);
  try {
    return await fn();
  } finally {
    script.contents = good;
  }
}

/** No caller is left in any sip- room (a call of the previous test may still be going away). */
async function callsOver(): Promise<void> {
  const { RoomServiceClient } = await import('livekit-server-sdk');
  const rooms = new RoomServiceClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);
  await waitFor('the last call to leave LiveKit', async () => {
    for (const r of await rooms.listRooms()) if (r.name.startsWith('sip-_') && (await rooms.listParticipants(r.name)).length) return undefined;
    return true;
  }, 30_000);
}

/** The built CLI with the world's variables, calling `onOutput` with everything printed so far. */
function checkWatching(args: string[], onOutput: (all: string) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const env = isolatedEnv({ NO_COLOR: '1', ...w.env, ...swEnv });
    const child = spawn(process.execPath, [BIN, 'check', ...args], { cwd: w.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    collect(child, onOutput).then(({ code, out }) => resolve({ code, out }), reject);
  });
}

const T = String.raw`\(\d+(\.\d)? s\)`;

test('check --call --yes, the full path: green with timings through the real SIP, room and agent, and the call is ended', { timeout: 90_000 }, async () => {
  const r = await check(['--call', '--yes', '--no-probe']);
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, out);
  assert.match(out, /Test call: places one call of at most 20 s from \+16505300051 to \+14244851544; SignalWire bills it/);
  assert.match(out, /^✓ Test call: the call went through: \+16505300051 → \+14244851544 → room → agent/m);
  assert.match(out, new RegExp(`^    ✓ SignalWire placed the call ${T}: from \\+16505300051 to \\+14244851544, call [0-9a-f-]{36}$`, 'm'));
  assert.match(out, /^    ✓ Our number ran our SWML: \+14244851544 connected to sip:…@127\.0\.0\.1:\d+$/m);
  assert.match(out, new RegExp(`^    ✓ Room created ${T}: the call reached LiveKit: sip-_\\+16505300051_[A-Za-z0-9]+$`, 'm'));
  assert.match(out, /^    ✓ SIP participant called our number: sip\.trunkPhoneNumber \+14244851544, sip\.phoneNumber \+16505300051$/m);
  assert.match(out, new RegExp(`^    ✓ Agent joined ${T}: \\d+\\.\\d s after the room was created$`, 'm'));
  // LiveKit answers only once the agent publishes audio: the SIP participant turns active.
  assert.match(out, new RegExp(`^    ✓ LiveKit SIP answered ${T}: the caller was answered \\(sip\\.callStatus active\\)$`, 'm'));
  // The test agent reports nothing under the convention, which is no failure; it writes the call's row as it leaves.
  assert.match(out, /^    – Agent report: skipped, the agent joined; it reports no settings \(the convention: docs\/agent-report\.md\)$/m);
  assert.match(out, /^    ✓ Interactions row: interaction logged: 0 turns$/m);
  assert.match(out, /^    ✓ Call ended: calling\.end sent$/m);
  const id = /call ([0-9a-f-]{36})/.exec(out)![1]!;
  assert.deepEqual(ends(), [id], 'the check ended its call (calling.end)');
  assert.notEqual(sw.logs.get(id)!.status, 'answered', 'the call is over');
  const room = /Room created .*: (sip-_\S+)/.exec(out)![1]!;
  assert.ok(agent.joined().includes(room), 'the real worker joined that room');
  noSecrets(out);
  await callsOver();
});

test('check --call --yes --leg livekit: SignalWire dials LiveKit\'s SIP URI with the trunk\'s login; green, and ended', { timeout: 90_000 }, async () => {
  const before = ends().length;
  const r = await check(['--call', '--yes', '--leg', 'livekit', '--no-probe']);
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, out);
  assert.match(out, /from \+14244851544 to LiveKit's SIP URI \(\+14244851544@127\.0\.0\.1:\d+\)/);
  assert.match(out, /^✓ Test call: the call went through: \+14244851544 → LiveKit SIP → room → agent/m);
  assert.match(out, /^    – Our number ran our SWML: skipped, LiveKit leg only/m);
  assert.match(out, new RegExp(`^    ✓ Agent joined ${T}`, 'm'));
  const dial = dials().at(-1)!.body as { params: { to: string; username?: string; password?: string } };
  assert.match(dial.params.to, /^sip:\+14244851544@127\.0\.0\.1:\d+;transport=tcp$/);
  assert.ok(dial.params.username && dial.params.password, 'the dial carries the trunk\'s login');
  assert.ok(!out.includes(dial.params.password), 'the SIP password is not printed');
  assert.equal(ends().length, before + 1, 'calling.end');
  noSecrets(out);
  await callsOver();
});

test('a SWML with a wrong password: red at the LiveKit SIP hop with the 401 explanation from the voice log', { timeout: 90_000 }, async () => {
  const r = await withSwml((c) => void (c.password = `${String(c.password)}x`), () => check(['--call', '--yes', '--no-probe']));
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, out);
  assert.match(out, /^✗ Test call: LiveKit SIP answered 401 Unauthorized: the SIP login the SWML sends does not match the trunk's digest username and password$/m);
  assert.match(out, /^    fix: rerun node \S*bin\/create-sip-inbound\.js so the trunk, \.env and the SWML carry the same LIVEKIT_SIP_USERNAME \/ LIVEKIT_SIP_PASSWORD/m);
  assert.match(out, /^    ✓ Our number ran our SWML: /m);
  // The explanation is printed once: in the heading, not again on the step.
  assert.match(out, /^    ✗ LiveKit SIP answered$/m);
  assert.equal(out.split('the SIP login the SWML sends does not match').length, 2, out);
  assert.match(out, /^    – Room created: skipped, the call did not reach LiveKit$/m);
  noSecrets(out);
});

test('a number missing from the trunk: the self-hosted LiveKit drops the call unanswered, and the check says why', { timeout: 90_000 }, async () => {
  const sip = new SipClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);
  const [trunk] = await sip.listSipInboundTrunk({ numbers: [NUMBER] });
  assert.ok(trunk);
  // Another number in its place: a trunk left with no numbers would take every number.
  await sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { numbers: new ListUpdate({ set: [SECOND] }) });
  ringMs = 5_000;
  try {
    // Off the trunk, the number is named: without --number the check takes the trunk's numbers.
    const r = await check(['--number', NUMBER, '--call', '--yes', '--no-probe']);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, out);
    assert.match(out, /^✗ Inbound trunk holds \+14244851544/m);
    assert.match(out, /^    ✗ LiveKit SIP answered$/m);
    assert.match(out, /^✗ Test call: no SIP answer \(the carrier gave up: 408 Request Timeout\): nothing at 127\.0\.0\.1:\d+ answered the INVITE; a self-hosted LiveKit SIP drops, without answering, a call to a number that no inbound trunk and no dispatch rule take/m);
    assert.match(out, /fix: put \+14244851544 on the inbound trunk and a rule on that trunk \(rerun node \S*bin\/create-sip-inbound\.js --number \+14244851544\)/);
    noSecrets(out);
  } finally {
    ringMs = 30_000;
    await sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { numbers: new ListUpdate({ set: [NUMBER] }) });
  }
});

test('check --live sees a call the stand-in places (no person) and reports the caller and both timings', { timeout: 90_000 }, async () => {
  let placed: Promise<unknown> | undefined;
  const r = await checkWatching(['--live', '--no-probe', '--timeout', '60'], (all) => {
    if (placed || !all.includes('Call +1 424 485 1544 now')) return;
    placed = sw.callNumber(NUMBER, CALLER, { holdMs: 3_000 }).then((c) => {
      assert.equal(c.sipCode, 200, `${c.sipCode} ${c.sipReason}`);
      return c.ended;
    });
  });
  await placed;
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^✓ Live call to \+14244851544: call from \+16505300051, SIP joined \d+(?: ms|\.\d s) after the room was created, agent after \d+\.\d s, answered, call ended/m);
  noSecrets(r.out);
  await callsOver();
});

test('check --live with SignalWire credentials: a call that LiveKit refuses is explained from the voice log', { timeout: 90_000 }, async () => {
  let placed: Promise<unknown> | undefined;
  const r = await withSwml(
    (c) => void (c.password = '********'),
    () =>
      checkWatching(['--live', '--no-probe', '--timeout', '8'], (all) => {
        if (!placed && all.includes('Call +1 424 485 1544 now')) placed = sw.callNumber(NUMBER, CALLER, { holdMs: 1_000 }).then((c) => c.ended);
      }),
  );
  await placed;
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /no call reached LiveKit: LiveKit SIP answered 401 Unauthorized: the SIP login the SWML sends does not match the trunk's/);
  assert.match(r.out, /paste the SWML from signalwire-swml\.json, not the screen \(the password shows there as \*{8}\)/);
  noSecrets(r.out);
});

test('--probe-timeout: the probe gives up after the given seconds; a bad value is one line and exit 2', { timeout: 60_000 }, async () => {
  const started = Date.now();
  const r = await w.cli(['check', '--probe-timeout', '2'], { ...swEnv, AGENT_NAME: 'nobody-registers-this' });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^✗ Agent probe: no agent joined in 2\.0 s/m);
  assert.ok(Date.now() - started < 20_000, 'well short of the 20 s default');
  const bad = await w.cli(['check', '--probe-timeout', 'soon'], swEnv);
  assert.equal(bad.code, 2);
  assert.equal((bad.stdout + bad.stderr).trim(), '✖ --probe-timeout: "soon" is not a number of seconds (1-300), e.g. --probe-timeout 20');
});
