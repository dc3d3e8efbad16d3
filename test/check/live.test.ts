// The live call watch against the LiveKit stand-in: a simulated inbound call (started once the watch is
// armed) is found among other rooms, reported with its caller and timings, followed to its end, and the
// agent's interaction row is looked for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../src/check/run.ts';
import type { LiveKitStandIn } from '../stand-ins/livekit.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { CALLER, NUMBER, OTHER_NUMBER, SIP_AUTH, setup, type Setup } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const live = (s: Setup, onLiveStart: (n: string) => void, timeoutSec = 5) =>
  runChecks(s.values, { print: false, probe: false, live: true, timeoutSec, envFile: s.envFile, pollMs: 25, interactionWaitMs: 1500, onLiveStart });

/** The caller hangs up: their SIP participant leaves the room. */
function hangUp(lk: LiveKitStandIn, room: string) {
  const r = lk.rooms.get(room)!;
  r.participants = r.participants.filter((p) => !p.identity.startsWith('sip_'));
}

test('a call to the number is reported with the caller, the SIP and agent join times, its end and the interaction row', async (t) => {
  const s = await setup(t, pg, { workerDelayMs: 300 });
  let armed = '';
  const report = await live(s, (n) => {
    armed = n;
    void (async () => {
      // Another call, to the other number on the same trunk, arrives first: it is not ours.
      const other = await s.lk.simulateCall({ to: OTHER_NUMBER, from: '+12125550123', auth: SIP_AUTH });
      await new Promise((r) => setTimeout(r, 100));
      const call = await s.lk.simulateCall({ to: NUMBER, from: CALLER, auth: SIP_AUTH });
      // The agent logs the call, then the caller hangs up.
      await pg.query(`INSERT INTO interactions (phone_number, caller_number, room_name) VALUES ($1, $2, $3)`, [NUMBER, CALLER, call.room], s.db);
      await new Promise((r) => setTimeout(r, 600));
      hangUp(s.lk, call.room);
      hangUp(s.lk, other.room);
    })();
  });
  assert.equal(armed, NUMBER);
  const l = report.live!;
  assert.equal(l.ok, true, l.detail);
  assert.equal(l.caller, CALLER);
  assert.ok(l.room!.startsWith(`sip-_${CALLER}_`), l.room);
  assert.ok(l.sipJoinedMs! >= 0 && l.sipJoinedMs! < 100, `SIP joined after ${l.sipJoinedMs} ms`);
  assert.ok(l.agentJoinedMs! >= 290 && l.agentJoinedMs! < 700, `agent joined after ${l.agentJoinedMs} ms`);
  assert.equal(l.ended, true);
  assert.equal(l.interaction, 'found');
  assert.match(l.detail, /call from \+16505300051, SIP joined \d+ ms after the room was created, agent after 0\.[3-6] s, answered, call ended, interaction logged/);
  assert.equal(report.ok, true);
});

test('a call with no agent fails with the cause; no call at all fails naming where to look', async (t) => {
  const s = await setup(t, pg, { worker: null });
  const report = await live(s, () => {
    void s.lk.simulateCall({ to: NUMBER, from: CALLER, auth: SIP_AUTH }).then((c) => setTimeout(() => hangUp(s.lk, c.room), 200));
  });
  const l = report.live!;
  assert.equal(l.ok, false);
  assert.equal(l.caller, CALLER);
  assert.equal(l.agentJoinedMs, undefined);
  assert.equal(l.interaction, 'not-found');
  assert.match(l.fix!, /no agent joined/);
  assert.equal(report.ok, false);

  const started = Date.now();
  const none = await live(s, () => {}, 1);
  assert.ok(Date.now() - started < 2500);
  assert.equal(none.live?.ok, false);
  assert.equal(none.live?.detail, 'no call to +14244851544 reached LiveKit in 1.0 s');
  assert.match(none.live!.fix!, /SignalWire → Logs/);
});

test('a room that existed before the watch is not taken for the call', async (t) => {
  const s = await setup(t, pg);
  const earlier = await s.lk.simulateCall({ to: NUMBER, from: '+12125550123', auth: SIP_AUTH });
  const report = await live(s, () => {}, 1);
  assert.equal(report.live?.ok, false);
  assert.ok(s.lk.rooms.has(earlier.room));
});

test('no trunk holding the number: the live watch is skipped, nobody is asked to dial', async (t) => {
  const s = await setup(t, pg, { trunkNumbers: [OTHER_NUMBER] });
  let asked = false;
  const report = await live(s, () => (asked = true), 1);
  assert.equal(asked, false);
  assert.equal(report.live?.skipped, true);
  assert.equal(report.ok, false);
});
