// Watching a test call that the number's carrier places (call.ts): LiveKit is watched as for a live call, armed
// before the dial, and the call is ended as soon as the proof is in: once LiveKit answered and the agent greeted,
// or when an agent that joined is never answered (the caller hears ringing).
import type { Values } from '../settings.js';
import type { LiveKitApi } from './livekit-api.js';
import type { LiveKitFindings } from './livekit-hops.js';
import { seconds } from '../timing.js';
import { RINGING, RINGING_FIX, watchLiveCall } from './live.js';
import type { CallStep, LiveKitConn, LiveResult } from './types.js';

/** The parts of `check --call`'s options the watch reads (call.ts CallOptions has them all). */
export interface WatchOptions {
  ringSec?: number | undefined;
  settleMs?: number | undefined;
  answerWaitMs?: number | undefined;
  pollMs?: number | undefined;
  interactionWaitMs?: number | undefined;
  row?: Promise<Values | undefined> | undefined;
}

export interface PlacedCall {
  e164: string;
  /** The check's start, less a margin: an interactions row must be newer. */
  since: Date;
  /** --call-seconds. */
  sec: number;
  /** Milliseconds since the dial. */
  at: () => number;
  say: (text: string) => void;
  /** Ends the call at the carrier (once). */
  end: () => Promise<void>;
  /** When end() was sent, if it was. */
  endedAt: () => number | undefined;
  /** The carrier reports the call over: stop looking for it in LiveKit unless it got there. */
  carrierDone: () => boolean;
}

export interface CallMarks {
  roomAt?: number;
  agentAt?: number;
  answeredAt?: number;
  inLiveKit: boolean;
}

export function watchPlacedCall(
  api: LiveKitApi,
  lkConn: LiveKitConn,
  lk: LiveKitFindings,
  values: Values,
  o: WatchOptions,
  c: PlacedCall,
): { watch: Promise<LiveResult>; ready: Promise<void>; marks: CallMarks; stopTimer: () => void } {
  let armed!: () => void;
  const ready = new Promise<void>((r) => (armed = r));
  const marks: CallMarks = { inLiveKit: false };
  let greeted = false;
  let settle: NodeJS.Timeout | undefined;
  const endIn = (ms: number) => {
    clearTimeout(settle);
    settle = setTimeout(() => void c.end().catch(() => {}), ms);
  };
  const settleMs = o.settleMs ?? 2000;
  const watch = watchLiveCall(api, lkConn, {
    e164: c.e164,
    roomPrefix: lk.roomPrefix,
    trunkId: lk.trunk?.sipTrunkId,
    since: c.since,
    timeoutMs: ((o.ringSec ?? 30) + c.sec + 15) * 1000,
    pollMs: o.pollMs ?? 500,
    ...(o.interactionWaitMs !== undefined ? { interactionWaitMs: o.interactionWaitMs } : {}),
    supabase: values.SUPABASE_URL && values.SUPABASE_SERVICE_ROLE_KEY ? { url: values.SUPABASE_URL, serviceKey: values.SUPABASE_SERVICE_ROLE_KEY } : undefined,
    row: o.row,
    // A call never answered was ended while ringing: the carrier's CANCEL may take LiveKit a while to act on.
    giveUp: () => {
      const ended = c.endedAt();
      return ended !== undefined && marks.answeredAt === undefined && Date.now() - ended > 3000;
    },
    onWatching: () => armed(),
    stop: () => c.carrierDone() && !marks.inLiveKit,
    onEvent: (text) => {
      c.say(text);
      if (text.startsWith('call from')) {
        marks.inLiveKit = true;
        marks.roomAt = c.at();
      }
      if (text === 'the agent joined') {
        marks.agentAt = c.at();
        if (marks.answeredAt === undefined) endIn(o.answerWaitMs ?? 10_000);
      }
      if (text === 'LiveKit SIP answered the caller') {
        marks.answeredAt = c.at();
        // A greeting reported before the answer counts; else give the agent a moment to report one.
        endIn(greeted ? settleMs : Math.max(settleMs, 4000));
      }
      if (text === 'the agent greeted the caller') {
        greeted = true;
        if (marks.answeredAt !== undefined) endIn(settleMs);
      }
    },
  });
  return { watch, ready, marks, stopTimer: () => clearTimeout(settle) };
}

/** The steps of a call that reached LiveKit, room to agent's proof, with when each was seen; `Call ended` is the caller's. */
export function reachedSteps(live: LiveResult, e164: string, marks: CallMarks): CallStep[] {
  const steps: CallStep[] = [];
  const when = (ms: number | undefined) => (ms !== undefined ? { atMs: ms } : {});
  steps.push({ title: 'Room created', ok: true, ...when(marks.roomAt), detail: `the call reached LiveKit: ${live.room!}` });
  steps.push({
    title: 'SIP participant called our number',
    ok: true,
    detail: live.numbersHidden
      ? `on our trunk (sip.trunkID); the rule hides phone numbers (hidePhoneNumber), so the agent sees neither ${e164} nor the caller`
      : `sip.trunkPhoneNumber ${e164}, sip.phoneNumber ${live.caller}`,
  });
  const joined = live.agentJoinedMs !== undefined;
  if (joined) steps.push({ title: 'Agent joined', ok: true, ...when(marks.agentAt), detail: `${seconds(live.agentJoinedMs!)} after the room was created` });
  else steps.push({ title: 'Agent joined', ok: false, detail: 'no agent joined the call', fix: live.fix ?? 'check the agent probe and the rule hop above' });
  // The SIP participant is in the room while the caller still hears ringing; the answer is sip.callStatus = active.
  if (!joined) steps.push({ title: 'LiveKit SIP answered', ok: false, skipped: true, detail: 'no agent joined to answer for' });
  else if (live.answered) steps.push({ title: 'LiveKit SIP answered', ok: true, ...when(marks.answeredAt), detail: 'the caller was answered (sip.callStatus active)' });
  else steps.push({ title: 'LiveKit SIP answered', ok: false, detail: `no answer: ${RINGING}`, fix: RINGING_FIX });
  if (joined && live.answered) steps.push(...(live.proof ?? []));
  return steps;
}

/** The heading of a call that reached LiveKit but failed a step. */
export function reachedFailure(live: LiveResult, failed: CallStep): string {
  if (live.agentJoinedMs === undefined) return 'the call reached LiveKit but no agent joined';
  if (!live.answered) return `the agent joined but LiveKit never answered: ${RINGING}`;
  return `the call went through, but ${failed.detail}`;
}
