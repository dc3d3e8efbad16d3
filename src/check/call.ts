// The proven call (`check --call`), one path for every carrier: the number's carrier places a real test call
// (its `testCall` part) and the check watches it through with no person. Full path: from another number of the
// account (or --from) to ours, so the number's real route runs into LiveKit SIP; a carrier may also dial LiveKit's
// SIP URI alone (--leg livekit). The caller side says one line and hangs up within --call-seconds even if this
// process dies; the check ends it sooner once the agent is in, and always on the way out, Ctrl-C included. A call
// that never reached LiveKit is explained from the carrier's own record of it (its `explain` part).
import { carrierNamed } from '../carriers/index.js';
import { CallRefused, type CallExplanation, type CallPlan, type CarrierTestCall, type TrunkNeeds } from '../carriers/carrier.js';
import { carrierOf } from '../config.js';
import { redact } from '../redact.js';
import { SETTINGS, type Values } from '../settings.js';
import { installSignalHandlers, SIGNAL_EXIT, takeOverSignals, type StopSignal } from '../signals.js';
import { seconds } from '../timing.js';
import { dim, out } from '../ui.js';
import { INTERACTIONS_STEP } from './agent-report.js';
import { reachedFailure, reachedSteps, watchPlacedCall, type CallMarks } from './call-watch.js';
import type { LiveKitApi } from './livekit-api.js';
import type { LiveKitFindings } from './livekit-hops.js';
import { sleep } from './probe.js';
import { hopLines, stepLine } from './report.js';
import type { CallResult, CallStep, Leg, LiveKitConn, LiveResult } from './types.js';

export const CALL_SECONDS = 20;
export const TEST_LINE = 'create-sip-inbound test call';
const FINAL = new Set(['completed', 'ended', 'failed', 'busy', 'no-answer', 'canceled']);
const PAST_LIVEKIT = ['Room created', 'SIP participant called our number', 'Agent joined'];

export interface CallOptions {
  /** --leg; undefined: the full path when the account has another number (or --from), else refuse (the carrier's plan). */
  leg?: Leg | undefined;
  /** --from: a number of the account (or, where the carrier allows it, a verified caller ID). */
  from?: string | undefined;
  /** --call-seconds: how long the caller side stays on at most. */
  seconds?: number | undefined;
  /** Asked with the cost statement before dialling; false places nothing. */
  confirm: (text: string) => Promise<boolean>;
  print: boolean;
  /** Ring timeout in seconds (default 30). */
  ringSec?: number | undefined;
  /** How long the call stays up after the agent's greeting before the check ends it (default 2 s). */
  settleMs?: number | undefined;
  /** How long after the agent joined the check waits for LiveKit to answer the caller (default 10 s). */
  answerWaitMs?: number | undefined;
  /** The number's row, to compare with what the agent reports loading. */
  row?: Promise<Values | undefined> | undefined;
  pollMs?: number | undefined;
  interactionWaitMs?: number | undefined;
}

export async function provenCall(api: LiveKitApi, lkConn: LiveKitConn, lk: LiveKitFindings, values: Values, o: CallOptions): Promise<CallResult> {
  const carrier = carrierNamed(carrierOf(values));
  const label = carrier.label;
  const calls = carrier.testCall;
  const conn = carrier.conn(values);
  if (!calls) return { ok: false, skipped: true, steps: [], detail: `${label} places no test call here yet` };
  if (!conn) return { ok: false, skipped: true, steps: [], detail: `needs ${credentialsOf(carrier.id) || `the ${label} credentials`}` };
  const e164 = values.PHONE_NUMBER!;
  const domain = values.LIVEKIT_SIP_DOMAIN;
  const sec = o.seconds ?? CALL_SECONDS;

  let plan: CallPlan;
  try {
    plan = await (calls.plan ? calls.plan(conn, values, o) : planFromCallers(calls, conn, label, values, o));
  } catch (err) {
    const line = err instanceof CallRefused ? err : lineOf(err, values);
    return { ok: false, steps: [], detail: `no call placed: ${line.detail}`, fix: line.fix };
  }
  const full = plan.leg === 'full';
  const ask =
    `Test call: places one call of at most ${sec} s from ${plan.from} to ${full ? e164 : `LiveKit's SIP URI (${e164}@${domain})`}; ` +
    `${label} bills it${full ? `, and the leg ${calls.via} makes to LiveKit` : ''}.`;
  if (!(await o.confirm(ask))) return { ok: false, skipped: true, leg: plan.leg, steps: [], detail: 'declined: no call placed' };

  const steps: CallStep[] = [];
  const start = Date.now();
  const since = new Date(start - 2000);
  const at = () => Date.now() - start;
  const say = (text: string) => o.print && out(`  ${dim(seconds(at()))} ${text}`);
  let callId: string | undefined;
  let endedAt: number | undefined;
  let status: string | null = null;
  let carrierDone = false;
  const end = async () => {
    if (!callId || endedAt !== undefined) return;
    endedAt = Date.now();
    await calls.end(conn, callId);
  };
  // Ctrl-C: end the call first (once the dial has answered with its id), then leave as an interrupt.
  let dialling: Promise<unknown> = Promise.resolve();
  const onSignal = (signal: StopSignal) => {
    void dialling
      .catch(() => {})
      .then(() => end())
      .catch(() => {})
      .then(() => {
        const ended = `the test call was ended${calls.endName ? ` (${calls.endName})` : ''}`;
        process.stderr.write(`\n✖ Stopped: ${callId ? ended : 'no call was placed'}.\n`);
        process.exit(SIGNAL_EXIT[signal]);
      });
  };
  // Our signal handling is installed for every command; it hands the first signal here.
  installSignalHandlers();
  const release = takeOverSignals(onSignal);
  const base = { leg: plan.leg, from: plan.from, to: plan.to, ended: true };
  const finish = (r: Omit<CallResult, 'ok'>): CallResult => ({ ok: r.steps.every((s) => s.ok || s.skipped), ...r, ...(callId ? { callId } : {}) });

  try {
    // Armed before dialling: any room that exists now is not our call.
    const { watch, ready, marks, stopTimer } = watchPlacedCall(api, lkConn, lk, values, o, {
      e164,
      since,
      sec,
      at,
      say: (text) => void say(text),
      end,
      endedAt: () => endedAt,
      carrierDone: () => carrierDone,
    });
    const pollMs = o.pollMs ?? 500;
    const early = await Promise.race([ready.then(() => undefined), watch]);
    if (early) return { ok: false, leg: plan.leg, steps: [], detail: `no call placed: ${early.detail}`, ...(early.fix ? { fix: early.fix } : {}) };

    const placed = `${label} placed the call`;
    const p = calls.dial(conn, { from: plan.from, to: plan.to, line: TEST_LINE, seconds: sec, ringSec: o.ringSec ?? 30, ...(plan.login ? { login: plan.login } : {}) });
    dialling = p;
    try {
      callId = await p;
    } catch (err) {
      carrierDone = true;
      await watch.catch(() => undefined);
      const line = lineOf(err, values);
      steps.push({ title: placed, ok: false, atMs: at(), detail: line.detail, fix: line.fix });
      return finish({ ...base, steps, detail: `${label} did not place the call: ${line.detail}`, fix: line.fix });
    }
    steps.push({ title: placed, ok: true, atMs: at(), detail: `from ${plan.from} to ${full ? e164 : plan.to.replace(/;.*$/, '')}, call ${callId}` });
    say(`${label} placed call ${callId}`);

    // The carrier's view, polled beside LiveKit's until the call is over. Only a final status ends the LiveKit
    // watch early; a status the carrier has not recorded yet is asked for less and less often.
    let watching = true;
    const follow = (async () => {
      for (let wait = pollMs; watching; ) {
        const now = await calls.status(conn, callId!).catch(() => null);
        if (now) status = now;
        if (status && FINAL.has(status)) {
          carrierDone = true;
          break;
        }
        wait = now ? pollMs : Math.min(wait * 2, 4000);
        await sleep(wait);
      }
    })();
    const live = await watch;
    watching = false;
    stopTimer();
    await end().catch(() => {});
    carrierDone = true;
    await follow.catch(() => {});

    const why = live.room ? undefined : await carrier.explain?.(conn, { id: callId, since, e164, sipDomain: domain, leg: plan.leg, status }).catch(() => undefined);
    return finish({ ...base, ...verdict({ label, calls, e164, domain, plan, steps, live, status, why, needs: carrier.trunkNeeds(values), marks }) });
  } finally {
    release();
    await end().catch(() => {});
  }
}

/** Without a plan of the carrier's own: the full path, from --from or another number of the account. */
async function planFromCallers<Conn>(calls: CarrierTestCall<Conn>, conn: Conn, label: string, values: Values, o: CallOptions): Promise<CallPlan> {
  const e164 = values.PHONE_NUMBER!;
  if (o.leg === 'livekit') throw new CallRefused(`--leg livekit dials LiveKit's SIP URI with a digest login, and ${label} numbers have none`, 'leave out --leg');
  let own: readonly string[];
  try {
    own = await calls.callers(conn);
  } catch (err) {
    throw new CallRefused(textOf(err, values), `check the ${label} credentials`);
  }
  if (o.from && !own.includes(o.from)) throw new CallRefused(`--from ${o.from} is not a number of this ${label} account`, `pick one of ${own.filter((n) => n !== e164).join(', ') || 'its other numbers'}`);
  const from = o.from ?? own.find((n) => n !== e164);
  if (!from) throw new CallRefused(`the ${label} account holds no number besides ${e164} to call it from`, 'pass --from with another number of the account');
  return { leg: 'full', from, to: e164 };
}

interface VerdictInput {
  label: string;
  calls: CarrierTestCall<unknown>;
  e164: string;
  domain: string | undefined;
  plan: CallPlan;
  steps: CallStep[];
  live: LiveResult;
  status: string | null;
  /** The carrier's explanation of a call that did not reach LiveKit. */
  why: CallExplanation | undefined;
  /** What LiveKit's trunk needs from the carrier: the fix for a call that made no room names it. */
  needs: TrunkNeeds;
  marks: CallMarks;
}

/** The hops of the call in order; the first that failed carries the explanation, the rest are skipped. */
function verdict(v: VerdictInput): { steps: CallStep[]; detail: string; fix?: string } {
  const { label, calls, steps, live, plan, e164, why } = v;
  const skip = (title: string, detail: string) => steps.push({ title, ok: false, skipped: true, detail });
  const route = calls.routeTitle;
  if (route && plan.leg === 'livekit') skip(route, `LiveKit leg only: ${label} dialled the SIP URI itself`);
  else if (route && (live.room || (why && (why.stopped ?? 'livekit') === 'livekit'))) steps.push({ title: route, ok: true, detail: `${e164} connected to sip:…@${v.domain}` });
  else if (route && why) steps.push({ title: route, ok: false, detail: why.cause, fix: why.fix });
  if (why?.stopped === 'carrier') {
    for (const t of ['LiveKit SIP answered', ...PAST_LIVEKIT]) skip(t, 'the call did not reach LiveKit');
    return { steps, detail: why.cause, fix: why.fix };
  }

  if (!live.room) {
    // No room does not say the INVITE never got there: a self-hosted livekit-sip rings (180), then drops without a
    // final answer, a caller its trunk does not admit.
    const admits =
      v.needs.kind === 'addresses'
        ? `LiveKit's trunk admits ${label}'s signalling addresses: a self-hosted LiveKit SIP drops, without a final answer, a call from an address outside the trunk's allowedAddresses`
        : `${label} sends the trunk's digest login`;
    const e = why ?? {
      cause: `no room was created: the call did not reach LiveKit, or LiveKit SIP dropped it (${label} reports it ${v.status ?? 'unknown'})`,
      fix: `check the "${label} number routes to LiveKit SIP" hop above, and that ${admits}`,
    };
    steps.push({ title: 'LiveKit SIP answered', ok: false, detail: e.cause, fix: e.fix });
    for (const t of PAST_LIVEKIT) skip(t, 'the call did not reach LiveKit');
    return { steps, detail: e.cause, fix: e.fix };
  }
  steps.push(...reachedSteps(live, e164, { ...v.marks, inLiveKit: true }));
  const logged = live.interaction === 'found' && !live.proof?.some((s) => s.title === INTERACTIONS_STEP) ? ', interaction logged' : '';
  steps.push({ title: 'Call ended', ok: true, detail: `${calls.endName ? `${calls.endName} sent` : `${label}: ${v.status ?? 'ended'}`}${logged}` });
  const failed = steps.find((s) => !s.ok && !s.skipped);
  if (!failed) return { steps, detail: `the call went through: ${plan.leg === 'full' ? `${plan.from} → ${e164}` : `${plan.from} → LiveKit SIP`} → room → agent` };
  return { steps, detail: reachedFailure(live, failed), ...(failed.fix ? { fix: failed.fix } : {}) };
}

/** A service's one-line error split into what happened and the fix it names (its last clause that says what to do). */
function lineOf(err: unknown, values: Values): { detail: string; fix: string } {
  const text = textOf(err, values);
  const at = [...text.matchAll(/(?:: |; )(?=(?:add|enable|check|verify|pass|pick|set|rerun|fund|use|give|end|point|look)\b)/g)].at(-1)?.index;
  return at === undefined ? { detail: text, fix: 'fix the problem named and rerun' } : { detail: text.slice(0, at), fix: text.slice(at + 2) };
}

/** The carrier's settings a test call needs, by name ("A, B and C"). */
function credentialsOf(id: string): string {
  const keys = SETTINGS.filter((s) => s.group === id && 'requiredBy' in s && (s.requiredBy as readonly string[]).includes('check --call')).map((s) => s.key);
  return keys.length > 1 ? `${keys.slice(0, -1).join(', ')} and ${keys.at(-1)}` : (keys[0] ?? '');
}

/** The error's text on one line, every secret of the settings redacted (whole: its fix comes last). */
function textOf(err: unknown, values: Values): string {
  const secrets = SETTINGS.filter((s) => 'secret' in s && s.secret).map((s) => values[s.key]);
  return redact(err instanceof Error ? err.message : String(err), secrets).replace(/\s+/g, ' ').trim();
}

export function printCall(r: CallResult): void {
  out(hopLines({ title: 'Test call', ok: r.ok, ...(r.skipped ? { skipped: true } : {}), detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) }));
  // The step the heading already explains is named without repeating the explanation.
  for (const s of r.steps) out(stepLine(s.detail === r.detail && !s.ok && !s.skipped ? { ...s, detail: '' } : s, r.fix));
}
