// A carrier's test call into the real LiveKit, for any carrier whose calls LiveKit's trunk admits by address (no
// digest login): the setup with --carrier against the real livekit-server, then `check --call` through the built CLI
// with the carrier's stand-in sending its origination INVITE through SIPp into the real livekit-sip, once from an
// address the trunk allows and once from one it does not. carrierCallTests(c) registers the tests for one carrier;
// its test file (twilio-call.test.ts, telnyx-call.test.ts) names the carrier, its stand-in and its addresses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ListUpdate, ParticipantInfo_Kind } from '@livekit/protocol';
import { RoomServiceClient, SipClient } from 'livekit-server-sdk';
import type { SipDial, SipDialer } from '../stand-ins/sip-dialer.ts';
import { startAgent, type AgentWorker } from './agent.ts';
import { CALLER, NUMBER, startRealWorld, stopInOrder, waitFor, type RealWorld } from './helpers.ts';
import { dial, RING_MS, type TimedAnswer } from './sip-dialer.ts';

/** What the tests need of a carrier's stand-in. */
export interface CarrierStandIn {
  /** Answers the stand-in gave that the carrier's published document does not describe (should stay empty). */
  violations: string[];
  addNumber(e164: string): unknown;
  stop(): Promise<void>;
}

export interface CarrierUnderTest<S extends CarrierStandIn> {
  /** --carrier's value. */
  id: string;
  /** The name the check prints, e.g. Twilio. */
  label: string;
  /** Starts the stand-in; a call it places to a number on its trunk goes to `dialer` as the origination INVITE. */
  start(o: { dialer: SipDialer; sourceAddress: string }): Promise<S>;
  /** The carrier's published signalling ranges: what the setup must put in the trunk's allowedAddresses. */
  addresses: readonly string[];
  /** The variables that point the product at the stand-in (its credentials and API URLs). */
  env(s: S): Record<string, string>;
  /** The check's red heading for the refused call: each carrier explains it from what its own record holds. */
  refused: RegExp;
}

const AGENT = 'inbound-agent';
/** The caller's address the test admits on the trunk, and one it does not (Linux answers for all of 127/8). */
export const ALLOWED = '127.0.0.1';
export const REFUSED = '127.0.0.2';
/** How long the refused call rings before the carrier gives up: livekit-sip drops it within milliseconds (its log
 * says so, asserted below), so a few seconds bound the wait without proving less. */
const REFUSED_RING_MS = 5_000;

/** One origination INVITE the stand-in sent: from where, and the real SIP answer (or why SIPp could not place it). */
export interface Leg {
  dial: SipDial;
  source: string;
  answer?: TimedAnswer;
  error?: string;
}

export function carrierCallTests<S extends CarrierStandIn>(c: CarrierUnderTest<S>): void {
  let w: RealWorld;
  let agent: AgentWorker | undefined;
  let carrier: S | undefined;
  let env: Record<string, string>;
  const legs: Leg[] = [];
  // Where the carrier's next INVITE leaves from and how long it rings: a real carrier sends from one of several
  // edges, so the test picks the address per call instead of per stand-in.
  let route = { source: ALLOWED, ringMs: RING_MS };
  const dialer: SipDialer = async (d) => {
    const leg: Leg = { dial: d, source: route.source };
    legs.push(leg);
    try {
      leg.answer = await dial({ ...d, source: route.source }, { ringMs: route.ringMs });
      return leg.answer;
    } catch (err) {
      // Recorded for the test's assertions: a throw here would only surface as the stand-in's unhandled rejection.
      leg.error = err instanceof Error ? err.message : String(err);
      return { code: 500, reason: 'SIP test client failed', ended: Promise.resolve(), hangup: async () => {} };
    }
  };

  before(async () => {
    w = await startRealWorld();
    await Promise.all([
      startAgent(w.lk, AGENT).then((a) => void (agent = a)),
      c.start({ dialer, sourceAddress: ALLOWED }).then((s) => void (carrier = s)),
    ]);
    carrier!.addNumber(NUMBER);
    // The account's other number: the check places its test call from it, so the room is sip-_<CALLER>_….
    carrier!.addNumber(CALLER);
    env = c.env(carrier!);
  }, { timeout: 90_000 });
  after(() => stopInOrder(agent, carrier, w));

  const sip = () => new SipClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);
  const rooms = () => new RoomServiceClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);
  const check = () => w.cli(['check', '--call', '--yes', '--no-probe'], env);
  const ourTrunk = async () => {
    const trunks = await sip().listSipInboundTrunk();
    assert.equal(trunks.length, 1, `one inbound trunk: ${trunks.map((t) => t.name).join(', ')}`);
    return trunks[0]!;
  };

  /** Every sip-_<CALLER>_ room that exists while `during` runs (polled, so a short-lived one counts too). */
  async function roomsWhile<T>(during: Promise<T>): Promise<{ result: T; seen: Map<string, ParticipantInfo_Kind[]> }> {
    const seen = new Map<string, ParticipantInfo_Kind[]>();
    let done = false;
    const poll = (async () => {
      while (!done) {
        for (const r of await rooms().listRooms()) {
          if (!r.name.startsWith(`sip-_${CALLER}_`)) continue;
          const kinds = (await rooms().listParticipants(r.name).catch(() => [])).map((p) => p.kind);
          seen.set(r.name, [...new Set([...(seen.get(r.name) ?? []), ...kinds])].sort());
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      return { result: await during, seen };
    } finally {
      done = true;
      await poll;
    }
  }

  test(`setup --carrier ${c.id} against the real LiveKit: the trunk admits exactly ${c.label}'s addresses and the number, with no login`, { timeout: 60_000 }, async () => {
    const r = await w.cli(['--yes', '--no-interactive', '--carrier', c.id, '--number', NUMBER, '--agent-name', AGENT, '--no-check'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const trunk = await ourTrunk();
    assert.deepEqual(trunk.numbers, [NUMBER]);
    assert.deepEqual([...trunk.allowedAddresses].sort(), [...c.addresses].sort(), `the trunk admits only ${c.label}'s signalling addresses`);
    assert.deepEqual([trunk.authUsername, trunk.authPassword], ['', ''], `no digest login: ${c.label} sends none`);
    const rules = await sip().listSipDispatchRule({ trunkIds: [trunk.sipTrunkId] });
    assert.deepEqual(rules.map((x) => x.roomConfig?.agents.map((a) => a.agentName)), [[AGENT]], 'one rule on the trunk dispatches the agent');
    assert.deepEqual(carrier!.violations, []);
  });

  test(`check --call: ${c.label} sends the call from an allowed address, it reaches the room and the agent, the check is green and ends it`, { timeout: 90_000 }, async () => {
    // The stand-in's INVITE really leaves from loopback, and no test can send from the carrier's ranges: the test
    // admits its own address beside them, as the carrier's edge would be admitted. The next test shows that an
    // address outside the list is refused, so this one is what lets the call in.
    const trunk = await ourTrunk();
    await sip().updateSipInboundTrunkFields(trunk.sipTrunkId, { allowedAddresses: new ListUpdate({ add: [`${ALLOWED}/32`] }) });
    route = { source: ALLOWED, ringMs: RING_MS };
    const { result: r, seen } = await roomsWhile(check());
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    assert.equal(legs.length, 1, JSON.stringify(legs));
    const leg = legs[0]!;
    assert.equal(leg.error, undefined);
    assert.equal(leg.dial.uri, `sip:${NUMBER}@${w.lk.sipDomain};transport=tcp`, "the INVITE goes to the trunk's origination URL");
    assert.deepEqual([leg.source, leg.answer?.code], [ALLOWED, 200]);

    assert.match(out, new RegExp(`^✓ Test call: the call went through: \\${CALLER} → \\${NUMBER} → room → agent`, 'm'));
    const room = new RegExp(`^    ✓ Room created \\(\\d+(?:\\.\\d)? s\\): the call reached LiveKit: (sip-_\\${CALLER}_[A-Za-z0-9]+)$`, 'm').exec(out)?.[1];
    assert.ok(room, out);
    assert.match(out, new RegExp(`^    ✓ SIP participant called our number: sip\\.trunkPhoneNumber \\${NUMBER}, sip\\.phoneNumber \\${CALLER}$`, 'm'));
    assert.match(out, /^    ✓ Agent joined \(\d+(?:\.\d)? s\): /m);
    assert.match(out, /^    ✓ LiveKit SIP answered \(\d+(?:\.\d)? s\): the caller was answered \(sip\.callStatus active\)$/m);
    assert.match(out, new RegExp(`^    ✓ Call ended: ${c.label}: completed$`, 'm'));
    // What LiveKit itself showed, not only what the check printed.
    assert.deepEqual([...seen.keys()], [room], 'one room for the call');
    assert.deepEqual(seen.get(room), [ParticipantInfo_Kind.SIP, ParticipantInfo_Kind.AGENT].sort());
    assert.ok(agent!.joined().includes(room), 'the real worker joined that room');
    // Ended: the carrier hung the SIP leg up (SIPp's BYE), and the agent left with the caller.
    await Promise.race([leg.answer!.ended, new Promise((_, no) => setTimeout(() => no(new Error('the SIP leg is still up')), 10_000))]);
    assert.equal(leg.answer!.heard.at(-1), 200);
    await waitFor('the agent to leave after the caller', async () => (agent!.left().includes(room) ? true : undefined), 15_000);
    noSecrets(out);
  });

  test(`check --call: the same call from an address the trunk does not allow is dropped by livekit-sip, no room appears, and the check is red`, { timeout: 60_000 }, async () => {
    const trunk = await ourTrunk();
    assert.ok(trunk.allowedAddresses.includes(`${ALLOWED}/32`) && !trunk.allowedAddresses.some((a) => a.startsWith(`${REFUSED}/`)), 'only the address differs from the green call');
    const before = legs.length;
    // The green call's room may still be closing: only a room that was not there before counts.
    const existing = new Set((await rooms().listRooms()).map((x) => x.name));
    route = { source: REFUSED, ringMs: REFUSED_RING_MS };
    const { result: r, seen } = await roomsWhile(check());
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, out);
    const leg = legs[before]!;
    assert.ok(leg, 'the carrier sent the INVITE');
    assert.equal(leg.error, undefined);
    // livekit-sip takes the INVITE (100), rings (180), and never sends a final answer: the carrier gives up (408).
    assert.deepEqual([leg.source, leg.answer?.code, leg.answer?.heard], [REFUSED, 408, [100, 180]]);
    // Its own log: the INVITE from the refused address was processed and closed at once, and joined no room.
    const sipLog = readFileSync(w.lk.services.find((s) => s.name === 'livekit-sip')!.log, 'utf8').split('\n').filter((l) => l.includes(`"fromIP": "${REFUSED}"`));
    assert.ok(sipLog.some((l) => l.includes('processing invite')) && sipLog.some((l) => l.includes('Closing inbound call')), sipLog.join('\n'));
    assert.ok(!sipLog.some((l) => /Joining room|SIP participant joined/.test(l)), sipLog.join('\n'));
    assert.deepEqual([...seen.keys()].filter((n) => !existing.has(n)), [], 'no room for the refused call');

    assert.match(out, c.refused);
    assert.match(out, new RegExp(`^    fix: .*${c.label}'s signalling addresses.*allowedAddresses`, 'm'), 'the fix names the trunk\'s allowedAddresses');
    assert.match(out, /^    – Room created: skipped, the call did not reach LiveKit$/m);
    noSecrets(out);
  });

  function noSecrets(out: string) {
    for (const [k, v] of Object.entries(env)) if (/TOKEN|SECRET|KEY|PASSWORD/.test(k)) assert.ok(!out.includes(v), `${k} is not printed`);
  }
}
