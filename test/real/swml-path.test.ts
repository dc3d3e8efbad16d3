// The whole path for real: a simulated call to our number in the SignalWire stand-in runs the number's
// handler (the hosted script the real wizard made, then an External URL served by the real `serve`), and
// the SWML's `connect` drives SIPp into the real livekit-sip; the rule names the room sip-_<caller>_…, the SIP
// participant carries the SIP attributes and the real agent joins. A wrong SWML fails visibly: the SIP
// answer is in the voice log and no room appears.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ParticipantInfo_Kind } from '@livekit/protocol';
import { RoomServiceClient } from 'livekit-server-sdk';
import { explainFromLogs } from '../../src/carriers/signalwire/explain.ts';
import { BIN, isolatedEnv } from '../helpers/cli.ts';
import { startSignalWire, type CallOutcome, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { startAgent, type AgentWorker } from './agent.ts';
import { CALLER, NUMBER, startRealWorld, stopInOrder, waitFor, type RealWorld } from './helpers.ts';
import { freeTcpPort } from './processes.ts';
import { sipDialer } from './sip-dialer.ts';

const AGENT = 'inbound-agent';
let w: RealWorld;
let sw: SignalWireStandIn;
let agent: AgentWorker;
let swEnv: Record<string, string>;
const signingKey = `PSK_${randomBytes(12).toString('hex')}`;
const children: ChildProcess[] = [];
// How long a SWML connect rings before giving up: short where the real server is known to drop the call.
let ringMs = 30_000;

before(async () => {
  w = await startRealWorld();
  sw = await startSignalWire({ dialer: (d) => sipDialer({ ringMs })(d), signingKey });
  sw.addNumber(NUMBER);
  swEnv = { SIGNALWIRE_SPACE_URL: sw.url, SIGNALWIRE_PROJECT_ID: sw.projectId, SIGNALWIRE_API_TOKEN: sw.apiToken, AGENT_NAME: AGENT };
  const [a, r] = await Promise.all([startAgent(w.lk, AGENT), w.cli(['--yes', '--no-interactive', '--number', NUMBER, '--no-check'], swEnv)]);
  agent = a;
  assert.equal(r.code, 0, r.stdout + r.stderr);
}, { timeout: 90_000 });
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await stopInOrder(agent, sw, w);
});

const rooms = () => new RoomServiceClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);
const callerRooms = async () => (await rooms().listRooms()).map((r) => r.name).filter((n) => n.startsWith(`sip-_${CALLER}_`));
const ours = () => [...sw.numbers.values()].find((n) => n.number === NUMBER)!;

/** The call in LiveKit: its room, the SIP participant's attributes, and whether the agent is in. */
async function inLiveKit(): Promise<{ room: string; sip: Record<string, string> }> {
  return waitFor('the call\'s room with the SIP participant and the agent', async () => {
    for (const room of await callerRooms()) {
      const ps = await rooms().listParticipants(room);
      const sip = ps.find((p) => p.kind === ParticipantInfo_Kind.SIP);
      if (sip && ps.some((p) => p.kind === ParticipantInfo_Kind.AGENT)) return { room, sip: { ...sip.attributes } };
    }
    return undefined;
  });
}

/** A call to our number that LiveKit answered: the room, attributes and agent, then hang up and wait for the end. */
async function provenPath(call: CallOutcome): Promise<void> {
  try {
    assert.equal(call.problem, undefined);
    assert.equal(call.sipCode, 200, `${call.sipCode} ${call.sipReason}`);
    const seen = await inLiveKit();
    assert.match(seen.room, /^sip-_\+16505300051_[A-Za-z0-9]+$/);
    assert.equal(seen.sip['sip.trunkPhoneNumber'], NUMBER);
    assert.equal(seen.sip['sip.phoneNumber'], CALLER);
    assert.ok(agent.joined().includes(seen.room), 'the worker says it joined that room');
    const leg = sipLegOf(call);
    assert.equal(leg.status, 'answered');
    assert.match(leg.to, new RegExp(`^sip:\\${NUMBER}@${w.lk.sipDomain.replace(/\./g, '\\.')};transport=tcp$`));
  } finally {
    await call.hangup();
    await call.ended;
  }
  await waitFor('the caller and the agent to leave after the hang-up', async () => {
    for (const room of await callerRooms()) if ((await rooms().listParticipants(room)).length) return undefined;
    return true;
  }, 30_000);
}

/** The SIP leg the number's SWML made (a child of the inbound leg), and its events' SIP answer. */
function sipLegOf(call: CallOutcome) {
  const leg = [...sw.logs.values()].find((l) => l.parent_id === call.logId && l.type === 'relay_sip_call');
  assert.ok(leg, 'the voice log holds the SIP leg');
  const answer = sw.events.get(leg.id)!.map((e) => e.details).find((d) => typeof d.sip_code === 'number');
  return { ...leg, code: answer?.sip_code as number | undefined, reason: answer?.sip_reason as string | undefined };
}

/** The hosted script the wizard made, as a document (SignalWire keeps what was sent). */
function hostedSwml(): { sections: { main: Array<{ connect: Record<string, unknown> }> } } {
  const url = ours().call_relay_script_url;
  const script = [...sw.scripts.values()].find((s) => s.request_url === url);
  assert.ok(script, 'our number runs a hosted script');
  const c = script.contents;
  return JSON.parse(typeof c === 'string' ? c : JSON.stringify(c));
}

test('the hosted script the wizard made: a call to the number reaches sip-_<caller>_… with the SIP attributes, and the agent joins', { timeout: 90_000 }, async () => {
  assert.equal(ours().call_handler, 'relay_script');
  const doc = hostedSwml();
  assert.equal(doc.sections.main[0]!.connect.to, `sip:%{call.to}@${w.lk.sipDomain};transport=tcp`);
  assert.ok(doc.sections.main[0]!.connect.password, 'the hosted script carries the SIP login');
  await provenPath(await sw.callNumber(NUMBER, CALLER, { holdMs: 60_000 }));
});

// Each wrong SWML as SignalWire would run it: LiveKit SIP's real answer lands in the voice log, and no room.
// A literal {{call.to}} matches no trunk: LiveKit Cloud answers 404, but a self-hosted livekit-server has
// LiveKit SIP drop such an INVITE unanswered (no dispatch match → DROP), so the connect rings out (408).
const wrong: Array<{ name: string; change: (c: Record<string, unknown>) => void; code: number; reason: RegExp; explained: RegExp; ringMs?: number }> = [
  {
    name: 'the masked password ******** (copied from the screen)',
    change: (c) => void (c.password = '********'),
    code: 401,
    reason: /Unauthorized/i,
    explained: /LiveKit SIP answered 401 .*: the SIP login the SWML sends does not match the trunk's/,
  },
  {
    name: 'no login',
    change: (c) => {
      delete c.username;
      delete c.password;
    },
    code: 407,
    reason: /Unauthorized|Authentication Required/i,
    explained: /LiveKit SIP answered 407 .*does not match the trunk's digest username and password \(or it sends none\)/,
  },
  {
    name: '{{call.to}} (cXML syntax)',
    change: (c) => void (c.to = String(c.to).replace('%{call.to}', '{{call.to}}')),
    code: 408,
    reason: /Request Timeout/,
    explained: /the SWML dials the user "\{\{call\.to\}\}" literally; \{\{…\}\} is cXML syntax/,
    ringMs: 5_000,
  },
];

for (const c of wrong) {
  test(`a SWML with ${c.name} fails against livekit-sip: ${c.code} in the voice log, explained, and no room`, { timeout: 60_000 }, async () => {
    const doc = hostedSwml();
    c.change(doc.sections.main[0]!.connect);
    const bad = sw.addScript(`wrong ${c.name}`, JSON.stringify(doc));
    const good = ours().call_relay_script_url;
    const roomsBefore = await callerRooms();
    ours().call_relay_script_url = bad.request_url;
    ringMs = c.ringMs ?? 30_000;
    try {
      const call = await sw.callNumber(NUMBER, CALLER, { holdMs: 1_000 });
      await call.ended;
      assert.equal(call.sipCode, c.code, `${call.sipCode} ${call.sipReason}`);
      const leg = sipLegOf(call);
      assert.equal(leg.status, 'failed');
      assert.equal(leg.code, c.code, 'the SIP leg\'s events carry the SIP answer');
      assert.match(leg.reason ?? '', c.reason);
      assert.equal(sw.logs.get(call.logId)!.status, 'failed', 'the inbound leg failed too');
      // What the check says from that log (the same reading `check --call` and `check --live` do).
      const why = await explainFromLogs(
        { spaceUrl: sw.url, projectId: sw.projectId, apiToken: sw.apiToken },
        { since: new Date(Date.parse(sw.logs.get(call.logId)!.created_at) - 1000), e164: NUMBER, sipDomain: w.lk.sipDomain },
      );
      assert.ok(why, 'the log explains the failure');
      assert.match(why.cause, c.explained);
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(await callerRooms(), roomsBefore, 'no room for the refused call');
    } finally {
      ours().call_relay_script_url = good;
      ringMs = 30_000;
    }
  });
}

test('an External URL served by the real `serve`: SignalWire POSTs the call signed, and the call reaches the room and the agent', { timeout: 90_000 }, async () => {
  const port = await freeTcpPort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...swEnv, API_BASE_URL: base, SIGNALWIRE_SIGNING_KEY: signingKey };
  const r = await w.cli(['--yes', '--no-interactive', '--number', NUMBER, '--no-check'], env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(ours().call_relay_script_url, `${base}/api/swml-inbound`, 'the wizard pointed the number at the External URL');

  // serve reads the .env the wizard wrote: the same SIP domain and login as the trunk.
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: w.cwd,
    env: isolatedEnv({ NO_COLOR: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  try {
    await waitFor('serve to listen', async () => (/Listening on/.test(log) ? true : undefined), 15_000);
    assert.match(log, /Requests must carry a valid X-SignalWire-Signature/);
    await provenPath(await sw.callNumber(NUMBER, CALLER, { holdMs: 60_000 }));
    // The signed POST was accepted (an unsigned or wrongly signed one gets 403).
    await waitFor(`serve to log the signed request (${log})`, async () => (/ POST \/api\/swml-inbound 200 [\d.]+ms from=\+16505300051/.test(log) ? true : undefined), 5_000);
    assert.ok(!log.includes(w.env.LIVEKIT_API_SECRET!) && !log.includes(signingKey), 'no secret in serve\'s output');
  } finally {
    child.kill('SIGTERM');
  }
});
