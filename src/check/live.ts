// The live call: ask the person to dial the number, then watch LiveKit for a new room under the rule's
// prefix whose SIP participant was called on our number (sip.trunkPhoneNumber). Report the caller
// (sip.phoneNumber), how long the SIP participant and the agent took, whether LiveKit answered the caller
// (sip.callStatus turns active only after the 200 OK and media: FACTS.md) and what the agent reports
// (docs/agent-report.md); wait for the call to end, then read the agent's log of it in `interactions`.
import type { Values } from '../settings.js';
import { agentProof, readAgentReport, type AgentReport, type InteractionSeen } from './agent-report.js';
import { liveKitProblem, type LiveKitApi } from './livekit-api.js';
import { agentIn, callIdOf, newCallerOn, serverMs } from './participants.js';
import { sleep } from './probe.js';
import { elapsed, seconds } from '../timing.js';
import type { LiveKitConn, LiveResult } from './types.js';
import type { ParticipantInfo, Room } from '@livekit/protocol';

export const LIVE_TIMEOUT_S = 120;

export interface LiveOptions {
  e164: string;
  roomPrefix: string;
  /** The check's start: the interaction row must be newer. */
  since: Date;
  timeoutMs: number;
  pollMs?: number;
  /** How long after the call ends to wait for the agent's interaction row. */
  interactionWaitMs?: number;
  supabase?: { url: string; serviceKey: string } | undefined;
  /** Called once the watch is armed: from here on a call to the number is seen. */
  onWatching?: (number: string) => void;
  /** Progress for the person: "call from … reached LiveKit", "agent joined". */
  onEvent?: (text: string) => void;
  /** Asked at each poll while no call has been seen: true ends the watch early (the call is known to have failed). */
  stop?: () => boolean;
  /** The number's row, to compare with what the agent reports loading. */
  row?: Promise<Values | undefined> | undefined;
  /** Our inbound trunk: a call on it counts even when the rule hides the numbers (hidePhoneNumber). */
  trunkId?: string | undefined;
  /** Asked at each poll while the call is in LiveKit: true stops watching it (the caller side was ended). */
  giveUp?: () => boolean;
  /** The fix when no call reached LiveKit: where the number's carrier shows the call (carrier.ts unreachedFix). */
  unreachedFix: string;
}

interface Seen {
  room: Room;
  caller: ParticipantInfo;
  /** Local clock when the room was first seen, for when the server leaves its timestamps out. */
  seenAt: number;
}

export async function watchLiveCall(api: LiveKitApi, conn: LiveKitConn, o: LiveOptions): Promise<LiveResult> {
  const deadline = Date.now() + o.timeoutMs;
  const pollMs = o.pollMs ?? 500;
  const base = { number: o.e164 };
  const fail = (err: unknown, what: string): LiveResult => {
    const p = liveKitProblem(err, conn, what);
    return { ...base, ok: false, detail: p.detail, fix: p.fix };
  };

  // Calls in LiveKit before the watch are not ours: known by their SIP call id, not by room name, since a direct
  // rule (or a callee rule without randomisation) puts every call in the same room; no clock is compared.
  let before: Set<string>;
  try {
    before = await callIdsNow(api, o.roomPrefix);
  } catch (err) {
    return fail(err, 'listing rooms');
  }
  o.onWatching?.(o.e164);

  let seen: Seen | undefined;
  try {
    seen = await findCall(api, o, before, deadline, pollMs);
  } catch (err) {
    return fail(err, 'watching for the call');
  }
  if (!seen)
    return {
      ...base,
      ok: false,
      detail: `no call to ${o.e164} reached LiveKit in ${seconds(o.timeoutMs)}`,
      fix: o.unreachedFix,
    };

  const caller = seen.caller.attributes['sip.phoneNumber'] || seen.caller.identity;
  o.onEvent?.(`call from ${caller} reached LiveKit (room ${seen.room.name})`);

  let agent: ParticipantInfo | undefined;
  let agentSeenAt = 0;
  let ended = false;
  let answeredAt = 0;
  let status = seen.caller.attributes['sip.callStatus'] ?? '';
  let report: AgentReport | undefined;
  try {
    for (;;) {
      const participants = await participantsOf(api, seen.room.name);
      const sip = participants?.find((p) => p.identity === seen!.caller.identity);
      if (participants) {
        // Prefer the agent that reports under the convention: a room may also hold unnamed workers.
        const now = participants.find((p) => readAgentReport(p.attributes)) ?? agentIn(participants);
        if (now && !agent) {
          agentSeenAt = Date.now();
          o.onEvent?.('the agent joined');
        }
        if (now) agent = now;
        const r = agent ? readAgentReport(agent.attributes) : undefined;
        if (r?.greetingAt && !report?.greetingAt) o.onEvent?.('the agent greeted the caller');
        if (r) report = r;
      }
      if (sip) status = sip.attributes['sip.callStatus'] ?? status;
      if (!answeredAt && status === 'active') {
        answeredAt = Date.now();
        o.onEvent?.('LiveKit SIP answered the caller');
      }
      if (!sip) {
        ended = true;
        break;
      }
      if (Date.now() >= deadline || o.giveUp?.()) break;
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    }
  } catch (err) {
    return fail(err, 'watching the call');
  }
  if (ended) o.onEvent?.('the call ended');

  const t = timings(seen, agent, agentSeenAt);
  const callId = seen.caller.attributes['sip.callID'];
  const result: LiveResult = { ...base, ok: false, room: seen.room.name, caller, ended, answered: Boolean(answeredAt), detail: '' };
  if (callId) result.callId = callId;
  if (!seen.caller.attributes['sip.trunkPhoneNumber']) result.numbersHidden = true;
  if (status) result.callStatus = status;
  if (t.sip !== undefined) result.sipJoinedMs = t.sip;
  if (t.agent !== undefined) result.agentJoinedMs = t.agent;
  if (answeredAt) result.answeredMs = Math.max(0, answeredAt - seen.seenAt);
  if (report) result.agentReport = report;
  const looked = ended && o.supabase ? await lookForInteraction(o, deadline, callId) : { state: 'not-checked' as const };
  result.interaction = looked.state;
  if (looked.row) result.interactionRow = looked.row;
  const created = serverMs(seen.room.creationTimeMs, seen.room.creationTime);
  if (agent) result.proof = agentProof({ e164: o.e164, report, row: await o.row?.catch(() => undefined), reachedAt: created || undefined, interaction: looked.row, interactionState: looked.state });

  const parts = [`call from ${caller}`];
  if (t.sip !== undefined) parts.push(`SIP joined ${elapsed(t.sip)} after the room was created`);
  if (t.agent !== undefined) parts.push(`agent after ${seconds(t.agent)}`);
  if (agent) parts.push(answeredAt ? 'answered' : 'never answered');
  parts.push(ended ? 'call ended' : 'still in progress when the watch ended');
  if (result.interaction === 'found') parts.push('interaction logged');
  if (result.interaction === 'not-found') parts.push('no interaction row yet');
  result.detail = parts.join(', ');
  result.ok = Boolean(agent && answeredAt) && (result.proof ?? []).every((s) => s.ok || s.skipped);
  if (!agent)
    result.fix =
      'the call reached LiveKit but no agent joined: check the agent probe above; the worker must run, and its agent_name must be the one the dispatch rule names';
  else if (!answeredAt) {
    result.detail += `: ${RINGING}`;
    result.fix = RINGING_FIX;
  } else if (!result.ok) result.fix = result.proof!.find((s) => !s.ok && !s.skipped)!.fix!;
  return result;
}

/** The agent joined, LiveKit never answered: what the caller hears, and why (FACTS.md: livekit/sip inbound.go). */
export const RINGING =
  'the caller hears ringing: LiveKit SIP answers only once the agent publishes audio, and this agent published none';
export const RINGING_FIX = 'publish audio as soon as the agent joins: start the greeting at once (session.say), before any slow read';

async function findCall(api: LiveKitApi, o: LiveOptions, before: Set<string>, deadline: number, pollMs: number): Promise<Seen | undefined> {
  // Call ids already judged: there before the watch, or calls to another number.
  const known = new Set(before);
  for (;;) {
    const rooms = (await api.rooms.listRooms()).filter((r) => r.name.startsWith(o.roomPrefix));
    const lists = await Promise.all(rooms.map((room) => participantsOf(api, room.name)));
    for (const [i, participants] of lists.entries()) {
      if (!participants) continue;
      const caller = newCallerOn(participants, o.e164, o.trunkId, known);
      if (caller) return { room: rooms[i]!, caller, seenAt: Date.now() };
      for (const p of participants) if (p.attributes['sip.callID']) known.add(callIdOf(p));
    }
    if (Date.now() >= deadline || o.stop?.()) return undefined;
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }
}

/** The SIP call ids in the rooms under the prefix right now. */
async function callIdsNow(api: LiveKitApi, prefix: string): Promise<Set<string>> {
  const rooms = (await api.rooms.listRooms()).filter((r) => r.name.startsWith(prefix));
  const lists = await Promise.all(rooms.map((r) => participantsOf(api, r.name)));
  return new Set(lists.flatMap((ps) => (ps ?? []).filter((p) => p.attributes['sip.callID']).map(callIdOf)));
}

/** The room's participants; undefined once the room is gone (LiveKit answers not_found). */
async function participantsOf(api: LiveKitApi, room: string): Promise<ParticipantInfo[] | undefined> {
  try {
    return await api.rooms.listParticipants(room);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

/** From the room's creation (the call reaching LiveKit) on the server's clock; the local clock when it gives none. */
function timings(seen: Seen, agent: ParticipantInfo | undefined, agentSeenAt: number): { sip?: number; agent?: number } {
  const created = serverMs(seen.room.creationTimeMs, seen.room.creationTime);
  const sipAt = serverMs(seen.caller.joinedAtMs, seen.caller.joinedAt);
  const agentAt = agent ? serverMs(agent.joinedAtMs, agent.joinedAt) : 0;
  // Unknown stays unknown: never a 0 that no clock measured.
  const out: { sip?: number; agent?: number } = {};
  if (created && sipAt) out.sip = Math.max(0, sipAt - created);
  if (agent) out.agent = created && agentAt ? Math.max(0, agentAt - created) : Math.max(0, agentSeenAt - seen.seenAt);
  return out;
}

type Looked = { state: NonNullable<LiveResult['interaction']>; row?: InteractionSeen };

async function lookForInteraction(o: LiveOptions, deadline: number, callId: string | undefined): Promise<Looked> {
  const { findRecentInteraction } = await import('../services/supabase.js');
  // The agent writes its row as the call winds down: give it a moment.
  const until = Math.min(deadline, Date.now() + (o.interactionWaitMs ?? 10_000));
  for (;;) {
    try {
      const r = await findRecentInteraction(o.supabase!, o.e164, o.since, callId);
      if (r.tableMissing) return { state: 'no-table' };
      if (r.row) return { state: 'found', row: r.row };
    } catch {
      return { state: 'not-checked' };
    }
    if (Date.now() >= until) return { state: 'not-found' };
    await sleep(Math.min(1_000, Math.max(0, until - Date.now())));
  }
}
