// A real inbound call on loopback: SIPp dials the SIP URI from the SWML document the product generated,
// with the login from that document; livekit-sip answers the digest challenge, matches our trunk, the rule
// creates sip-_<caller>_…, and the @livekit/agents worker is dispatched into it. `check` (hops and agent
// probe) and `check --live` run against it. A wrong password is refused with no room; a named worker under
// a rule that names no agent is not dispatched, and the check says so.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ParticipantInfo_Kind } from '@livekit/protocol';
import { RoomServiceClient } from 'livekit-server-sdk';
import { BIN, collect, isolatedEnv } from '../helpers/cli.ts';
import { startAgent, type AgentWorker } from './agent.ts';
import { CALLER, NUMBER, startRealWorld, stopInOrder, waitFor, type RealWorld } from './helpers.ts';
import { realSipDialer } from './sip-dialer.ts';

let w: RealWorld;
let agent: AgentWorker;
before(async () => {
  w = await startRealWorld();
  const [a, r] = await Promise.all([
    startAgent(w.lk, 'inbound-agent'),
    w.cli(['--yes', '--no-interactive', '--number', NUMBER, '--agent-name', 'inbound-agent', '--no-check']),
  ]);
  agent = a;
  assert.equal(r.code, 0, r.stdout + r.stderr);
}, { timeout: 90_000 });
after(() => stopInOrder(agent, w));

const rooms = () => new RoomServiceClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);

/** What SignalWire would dial: the generated SWML's connect, with %{call.to} substituted. */
async function swmlConnect(): Promise<{ uri: string; username: string; password: string }> {
  const r = await w.cli(['swml']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { sections: { main: Array<{ connect?: { to: string; username: string; password: string } }> } };
  const connect = doc.sections.main.find((s) => s.connect)?.connect;
  assert.ok(connect, 'the SWML connects the call');
  assert.match(connect.to, /^sip:%\{call\.to\}@127\.0\.0\.1:\d+;transport=tcp$/);
  return { uri: connect.to.replace('%{call.to}', NUMBER), username: connect.username, password: connect.password };
}

/** The built CLI with the world's variables, calling `onOutput` with everything printed so far. */
function cliWatching(args: string[], onOutput: (all: string) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const env = isolatedEnv({ NO_COLOR: '1', ...w.env });
    const child = spawn(process.execPath, [BIN, ...args], { cwd: w.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    collect(child, onOutput).then(({ code, out }) => resolve({ code, out }), reject);
  });
}

test('check against the real server: every hop passes and the agent probe sees the real worker join', { timeout: 90_000 }, async () => {
  const r = await w.cli(['check']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^✓ LiveKit reachable/m);
  assert.match(r.stdout, /^✓ Inbound trunk holds \+14244851544/m);
  assert.match(r.stdout, /^✓ Dispatch rule covers the number/m);
  assert.match(r.stdout, /^✓ Agent probe: agent "inbound-agent" joined a test room in \d+\.\d s/m);
  assert.deepEqual((await rooms().listRooms()).map((x) => x.name), [], 'the probe room is gone');
});

test('a real call with the SWML login reaches sip-_<caller>_… with the SIP attributes and the agent; check --live reports it', { timeout: 120_000 }, async () => {
  const { uri, username, password } = await swmlConnect();
  let seen: { room: string; sip: Record<string, string>; kinds: ParticipantInfo_Kind[] } | undefined;
  let answer: { code: number; reason: string } | undefined;
  let dialled: Promise<void> | undefined;
  let printed = '';
  const live = cliWatching(['check', '--live', '--no-probe', '--timeout', '90'], (all) => {
    printed = all;
    if (dialled || !all.includes('Call +1 424 485 1544 now')) return;
    dialled = (async () => {
      const call = await realSipDialer({ uri, from: CALLER, username, password, holdMs: 60_000 });
      answer = { code: call.code, reason: call.reason };
      try {
        // Answered means the agent is in and publishing (LiveKit SIP rings until it can subscribe to audio).
        seen = await waitFor('the call\'s room with the SIP participant and the agent', async () => {
          const room = (await rooms().listRooms()).find((x) => x.name.startsWith(`sip-_${CALLER}_`));
          if (!room) return undefined;
          const ps = await rooms().listParticipants(room.name);
          const sip = ps.find((p) => p.kind === ParticipantInfo_Kind.SIP);
          if (!sip || !ps.some((p) => p.kind === ParticipantInfo_Kind.AGENT)) return undefined;
          return { room: room.name, sip: { ...sip.attributes }, kinds: ps.map((p) => p.kind).sort() };
        });
        // A caller stays on the line: hang up once the check has seen the agent and the answer (it polls), not before.
        await waitFor('the check to see the agent and the answer', async () => (printed.includes('the agent joined') && printed.includes('LiveKit SIP answered the caller') ? true : undefined), 20_000);
      } finally {
        await call.hangup();
      }
    })();
  });
  const r = await live;
  await dialled;
  assert.deepEqual(answer, { code: 200, reason: 'OK' });
  assert.ok(seen);
  assert.match(seen.room, /^sip-_\+16505300051_[A-Za-z0-9]+$/);
  assert.equal(seen.sip['sip.trunkPhoneNumber'], NUMBER);
  assert.equal(seen.sip['sip.phoneNumber'], CALLER);
  assert.deepEqual(seen.kinds, [ParticipantInfo_Kind.SIP, ParticipantInfo_Kind.AGENT]);
  assert.ok(agent.joined().includes(seen.room), 'the worker says it joined that room');

  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^✓ Live call to \+14244851544: call from \+16505300051, SIP joined \d+(?: ms|\.\d s) after the room was created, agent after \d+\.\d s, answered, call ended/m);
  assert.ok(!r.out.includes(password), 'the SIP password is not printed');
  await waitFor('the agent to leave after the caller', async () => (agent.left().includes(seen!.room) ? true : undefined), 15_000);
});

test('the same call with a wrong password is refused by livekit-sip, and no room appears', { timeout: 60_000 }, async () => {
  const { uri, username, password } = await swmlConnect();
  const before = (await rooms().listRooms()).map((x) => x.name);
  const call = await realSipDialer({ uri, from: CALLER, username, password: `${password}x`, holdMs: 1000 });
  await call.ended;
  assert.ok([401, 407].includes(call.code), `${call.code} ${call.reason}`);
  await new Promise((r) => setTimeout(r, 1000));
  // Only a room for this caller counts: a probe room of an earlier check may still be closing.
  const appeared = (await rooms().listRooms()).map((x) => x.name).filter((n) => !before.includes(n) && n.startsWith(`sip-_${CALLER}_`));
  assert.deepEqual(appeared, [], 'no room for the refused call');
});

test('a named worker under a rule that names no agent is not dispatched, and the check says exactly that', { timeout: 90_000 }, async () => {
  const r = await w.cli(['--yes', '--no-interactive', '--number', NUMBER, '--agent-name', '', '--no-check'], { AGENT_NAME: '' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // Only a room that is new to this check counts against the worker: the earlier call's room may still be closing,
  // and its job may be reported (or retried on a busy machine) while it does.
  const before = new Set([...(await rooms().listRooms()).map((x) => x.name), ...agent.joined()]);
  const joinedBefore = agent.joined().length;
  const check = await w.cli(['check', '--probe-timeout', '4'], { AGENT_NAME: '' });
  assert.equal(check.code, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^✗ Agent probe: no agent joined in \d+(\.\d)? s/m);
  assert.match(check.stdout, /the rule names no agent, AGENT_NAME is empty\): a named worker is only dispatched explicitly/);
  const joinedNew = agent.joined().slice(joinedBefore).filter((room) => !before.has(room));
  assert.deepEqual(joinedNew, [], `the named worker was not dispatched (it had joined ${[...before].join(', ')} before)`);
});
