// The proven call (`check --call`): SignalWire places a real test call and the check watches it through with
// no person. Full path: from another number of the space (or --from) to ours, so the number's real handler
// runs our SWML into LiveKit SIP. LiveKit leg alone (--leg livekit): straight to LiveKit's SIP URI with the
// trunk's login. The caller side runs a tiny SWML (one line, silence, hang up), so the call ends by itself
// within --call-seconds even if this process dies; the check ends it sooner once the agent is in, and always
// on the way out, Ctrl-C included. A call that fails is explained from SignalWire's voice log.
import type { Values } from '../settings.js';
import { dim, green, out, red, yellow } from '../ui.js';
import { installSignalHandlers, SIGNAL_EXIT, takeOverSignals, type StopSignal } from '../signals.js';
import { explainFromLogs, explainSip, sameSipHost, sipHost, type Explanation } from './explain.js';
import type { LiveKitApi } from './livekit-api.js';
import type { LiveKitFindings } from './livekit-hops.js';
import { INTERACTIONS_STEP } from './agent-report.js';
import { reachedFailure, reachedSteps, watchPlacedCall } from './call-watch.js';
import { sleep } from './probe.js';
import { numberPage } from '../carriers/signalwire/dashboard.js';
import { SIGNALWIRE_HOP } from '../carriers/signalwire/hops.js';
import { seconds } from '../timing.js';
import { hopLines, stepLine } from './report.js';
import type { CallResult, CallStep, Leg, LiveKitConn, LiveResult } from './types.js';

export const CALL_SECONDS = 20;
export const TEST_LINE = 'create-sip-inbound test call';
const FINAL = new Set(['completed', 'ended', 'failed', 'busy', 'no-answer', 'canceled']);

export interface CallOptions {
  /** --leg; undefined: the full path when the space has another number (or --from), else refuse (see plan). */
  leg?: Leg | undefined;
  /** --from: a number of the space or a verified caller ID. */
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

interface Plan {
  leg: Leg;
  from: string;
  to: string;
  username?: string;
  password?: string;
}

/** The caller side: say one line, stay for the rest of the time, hang up. */
export function callerSwml(sec: number): object {
  return {
    version: '1.0.0',
    sections: { main: [{ play: { urls: [`say:${TEST_LINE}`] } }, { play: { urls: [`silence:${Math.max(1, sec - 2)}`] } }, { hangup: {} }] },
  };
}

export async function provenCall(api: LiveKitApi, lkConn: LiveKitConn, lk: LiveKitFindings, values: Values, o: CallOptions): Promise<CallResult> {
  const sw = await import('../carriers/signalwire/index.js');
  const conn = sw.signalWireConn(values);
  const e164 = values.PHONE_NUMBER!;
  const domain = values.LIVEKIT_SIP_DOMAIN;
  if (!conn) return { ok: false, skipped: true, steps: [], detail: 'needs SIGNALWIRE_SPACE_URL, SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN' };
  const sec = o.seconds ?? CALL_SECONDS;

  let plan: Plan;
  try {
    plan = await planCall(conn, values, o);
  } catch (err) {
    const line = err instanceof Refused ? err : lineOf(err, values);
    return { ok: false, steps: [], detail: `no call placed: ${line.detail}`, fix: line.fix };
  }
  const ask =
    `Test call: places one call of at most ${sec} s from ${plan.from} to ${plan.leg === 'full' ? e164 : `LiveKit's SIP URI (${e164}@${domain})`}; ` +
    `SignalWire bills it${plan.leg === 'full' ? ', and the leg our number makes to LiveKit' : ''}.`;
  if (!(await o.confirm(ask))) return { ok: false, skipped: true, leg: plan.leg, steps: [], detail: 'declined: no call placed' };

  const steps: CallStep[] = [];
  const start = Date.now();
  const since = new Date(start - 2000);
  const at = () => Date.now() - start;
  let callId: string | undefined;
  let endSent = false;
  let endedAt: number | undefined;
  let status: string | null = null;
  let swDone = false;

  const end = async () => {
    if (!callId || endSent) return;
    endSent = true;
    endedAt = Date.now();
    await sw.endCall(conn, callId);
  };
  // Ctrl-C: end the call first, then leave as an interrupt.
  let dialling: Promise<unknown> = Promise.resolve();
  const onSignal = (signal: StopSignal) => {
    void dialling
      .catch(() => {})
      .then(() => end())
      .catch(() => {})
      .then(() => {
        process.stderr.write(`\n✖ Stopped: ${callId ? 'the test call was ended (calling.end)' : 'no call was placed'}.\n`);
        process.exit(SIGNAL_EXIT[signal]);
      });
  };
  // Our signal handling is installed for every command; it hands the first signal here.
  installSignalHandlers();
  const release = takeOverSignals(onSignal);

  try {
    // Armed before dialling: any room that exists now is not our call.
    const say = (text: string) => o.print && out(`  ${dim(`${seconds(at())}`)} ${text}`);
    const { watch, ready, marks, stopTimer } = watchPlacedCall(api, lkConn, lk, values, o, {
      e164,
      since,
      sec,
      at,
      say: (text) => void say(text),
      end,
      endedAt: () => endedAt,
      carrierDone: () => swDone,
    });
    const pollMs = o.pollMs ?? 500;
    const early = await Promise.race([ready.then(() => undefined), watch]);
    if (early) return { ok: false, leg: plan.leg, steps: [], detail: `no call placed: ${early.detail}`, ...(early.fix ? { fix: early.fix } : {}) };

    const p = sw.dialCall(conn, { from: plan.from, to: plan.to, swml: callerSwml(sec), timeoutSec: o.ringSec ?? 30, ...(plan.username ? { username: plan.username, password: plan.password } : {}) });
    dialling = p;
    try {
      callId = (await p).id;
    } catch (err) {
      swDone = true;
      await watch.catch(() => undefined);
      const line = lineOf(err, values);
      steps.push({ title: 'SignalWire placed the call', ok: false, atMs: at(), detail: line.detail, fix: line.fix });
      return finish({ leg: plan.leg, from: plan.from, to: plan.to, steps, detail: `SignalWire did not place the call: ${line.detail}`, fix: line.fix, ended: true });
    }
    steps.push({ title: 'SignalWire placed the call', ok: true, atMs: at(), detail: `from ${plan.from} to ${plan.leg === 'full' ? e164 : plan.to.replace(/;.*$/, '')}, call ${callId}` });
    say(`SignalWire placed call ${callId}`);

    // SignalWire's view, polled beside LiveKit's until the call is over. How soon a log appears is not documented,
    // so a missing log never ends the LiveKit watch: only a final status does; the watch runs to the call's own
    // timeout otherwise (a trial space logs nothing). Missing logs are asked for less and less often.
    let watching = true;
    const swWatch = (async () => {
      for (let wait = pollMs; watching; ) {
        const log = await sw.getVoiceLog(conn, callId!).catch(() => undefined);
        if (log) status = log.status;
        if (status && FINAL.has(status)) {
          swDone = true;
          break;
        }
        wait = log ? pollMs : Math.min(wait * 2, 4000);
        await sleep(wait);
      }
    })();
    const live = await watch;
    watching = false;
    stopTimer();
    await end().catch(() => {});
    swDone = true;
    await swWatch.catch(() => {});

    return finish(await verdict({ conn, values, e164, plan, steps, live, since, callId, status, roomAt: marks.roomAt, agentAt: marks.agentAt, answeredAt: marks.answeredAt, endSent }));
  } finally {
    release();
    await end().catch(() => {});
  }

  function finish(r: Omit<CallResult, 'ok'> & { ok?: boolean }): CallResult {
    const result: CallResult = { ok: r.ok ?? r.steps.every((s) => s.ok || s.skipped), ...r, ...(callId ? { callId } : {}) };
    return result;
  }
}

interface VerdictInput {
  conn: import('../carriers/signalwire/index.js').SignalWireConn;
  values: Values;
  e164: string;
  plan: Plan;
  steps: CallStep[];
  live: LiveResult;
  since: Date;
  callId: string;
  status: string | null;
  roomAt: number | undefined;
  agentAt: number | undefined;
  answeredAt: number | undefined;
  endSent: boolean;
}

/** The hops of the call in order; the first that failed carries the explanation, the rest are skipped. */
async function verdict(v: VerdictInput): Promise<Omit<CallResult, 'ok'>> {
  const { steps, live, plan, e164 } = v;
  const domain = v.values.LIVEKIT_SIP_DOMAIN;
  const reached = Boolean(live.room);
  const base = { leg: plan.leg, from: plan.from, to: plan.to, steps, ended: true };
  const skip = (title: string, why: string) => steps.push({ title, ok: false, skipped: true, detail: why });

  let why: (Explanation & { leg?: { log: { to: string; status: string | null } } }) | undefined;
  if (!reached) {
    const sw = await import('../carriers/signalwire/index.js');
    why = await explainFromLogs(v.conn, { since: v.since, e164, sipDomain: domain }).catch(() => undefined);
    if (!why && plan.leg === 'livekit' && !(await sw.getVoiceLog(v.conn, v.callId).catch(() => undefined)))
      why = explainSip(603, { e164, sipDomain: domain });
  }

  const handlerTitle = 'Our number ran our SWML';
  if (plan.leg === 'full') {
    if (reached || (why?.leg && why.code !== undefined && sipHostIs(why.leg.log.to, domain)))
      steps.push({ title: handlerTitle, ok: true, detail: `${e164} connected to sip:…@${domain}` });
    else if (why?.leg) steps.push({ title: handlerTitle, ok: false, detail: why.cause, fix: why.fix });
    else {
      const never = v.status === 'no-answer' || v.status === null || v.status === 'ringing' || v.status === 'queued';
      steps.push({
        title: handlerTitle,
        ok: false,
        detail: never
          ? `SignalWire reports the call as ${v.status ?? 'not logged'}: ${e164} never answered, so its handler did not connect to LiveKit`
          : `the call ended ${v.status} without a SIP leg to ${domain}: the number's handler did not run our SWML`,
        fix: `check the "${SIGNALWIRE_HOP.title}" hop above (${numberPage(e164)}); SignalWire → Logs → Voice shows what it ran`,
      });
      for (const t of ['LiveKit SIP answered', 'Room created', 'SIP participant called our number', 'Agent joined']) skip(t, 'the call did not reach LiveKit');
      return { ...base, detail: steps.at(-5)!.detail!, fix: steps.at(-5)!.fix! };
    }
  } else skip(handlerTitle, 'LiveKit leg only: SignalWire dialled the SIP URI itself');

  if (!reached) {
    const e = why ?? explainSip(undefined, { e164, sipDomain: domain });
    steps.push({ title: 'LiveKit SIP answered', ok: false, detail: e.cause, fix: e.fix });
    for (const t of ['Room created', 'SIP participant called our number', 'Agent joined']) skip(t, 'the call did not reach LiveKit');
    return { ...base, detail: e.cause, fix: e.fix };
  }
  steps.push(...reachedSteps(live, e164, { roomAt: v.roomAt, agentAt: v.agentAt, answeredAt: v.answeredAt, inLiveKit: true }));
  const logged = live.interaction === 'found' && !live.proof?.some((s) => s.title === INTERACTIONS_STEP) ? ', interaction logged' : '';
  steps.push({ title: 'Call ended', ok: true, detail: `${v.endSent ? 'calling.end sent' : `SignalWire: ${v.status ?? 'ended'}`}${logged}` });
  const failed = steps.find((s) => !s.ok && !s.skipped);
  if (!failed) return { ...base, detail: `the call went through: ${plan.leg === 'full' ? `${plan.from} → ${e164}` : `${plan.from} → LiveKit SIP`} → room → agent` };
  return { ...base, detail: reachedFailure(live, failed), ...(failed.fix ? { fix: failed.fix } : {}) };
}

/** Where the call goes and from where; refuses (throws a UsageError) before anything is dialled. */
async function planCall(conn: import('../carriers/signalwire/index.js').SignalWireConn, values: Values, o: CallOptions): Promise<Plan> {
  const { listNumbers, listVerifiedNumbers } = await import('../carriers/signalwire/index.js');
  const e164 = values.PHONE_NUMBER!;
  const [numbers, verified] = await Promise.all([listNumbers(conn), listVerifiedNumbers(conn)]);
  const own = numbers.map((n) => n.number);
  const space = spaceHost(values.SIGNALWIRE_SPACE_URL ?? '');
  if (o.from && !own.includes(o.from) && !verified.includes(o.from)) {
    // Only other numbers help: calling our number from itself is no way out, so never offer that (no circle).
    const others = [...own.filter((n) => n !== e164), ...verified];
    throw new Refused(
      `--from ${o.from} is neither a number of ${space} nor a verified caller ID, and SignalWire places calls only from those`,
      others.length
        ? `pick one of ${others.join(', ')}, or verify it (SignalWire → Phone Numbers → Verified Caller IDs)`
        : 'verify it (SignalWire → Phone Numbers → Verified Caller IDs), or pass --leg livekit, which needs no caller',
    );
  }

  if (o.leg === 'livekit') {
    if (!values.LIVEKIT_SIP_DOMAIN) throw new Refused("--leg livekit dials LiveKit's SIP URI, and LIVEKIT_SIP_DOMAIN is not set", 'set LIVEKIT_SIP_DOMAIN');
    const from = o.from ?? (own.includes(e164) ? e164 : own[0]);
    if (!from) throw new Refused(`${space} has no number to call from`, 'pass --from with a verified caller ID');
    const plan: Plan = { leg: 'livekit', from, to: `sip:${e164}@${values.LIVEKIT_SIP_DOMAIN};transport=tcp` };
    if (values.LIVEKIT_SIP_USERNAME && values.LIVEKIT_SIP_PASSWORD) Object.assign(plan, { username: values.LIVEKIT_SIP_USERNAME, password: values.LIVEKIT_SIP_PASSWORD });
    return plan;
  }
  if (!own.includes(e164))
    throw new Refused(`${e164} is not a number of ${space}, so a call to it would not run a handler there`, 'check --number, or pass --leg livekit to test the LiveKit leg alone');
  const from = o.from ?? own.find((n) => n !== e164);
  if (from) return { leg: 'full', from, to: e164 };
  // One number: what every trial space holds. A trial space declines SIP calls (603) and calls only its own and
  // verified numbers, and SignalWire's API does not say whether a space is in trial: do not dial on a guess.
  throw new Refused(
    `${space} holds one number, as a space in Trial Mode does, and a trial space declines the SIP call to LiveKit (603) and calls only verified numbers`,
    'pass --from with a verified caller ID to go the full path, or --leg livekit if the space is funded',
  );
}

/** Why no call is placed, in one line, and what to do. */
class Refused extends Error {
  constructor(
    readonly detail: string,
    readonly fix: string,
  ) {
    super(`${detail}: ${fix}`);
  }
}

/** A service's one-line error split into what happened and the fix it names (its last clause that says what to do). */
function lineOf(err: unknown, values: Values): { detail: string; fix: string } {
  let text = err instanceof Error ? err.message : String(err);
  for (const s of [values.SIGNALWIRE_API_TOKEN, values.LIVEKIT_SIP_PASSWORD]) if (s) text = text.split(s).join('••••');
  const at = [...text.matchAll(/(?:: |; )(?=(?:add|enable|check|verify|pass|pick|set|rerun|fund|use|give|end|point|look)\b)/g)].at(-1)?.index;
  return at === undefined ? { detail: text, fix: 'fix the problem named and rerun' } : { detail: text.slice(0, at), fix: text.slice(at + 2) };
}

function sipHostIs(uri: string, domain: string | undefined): boolean {
  const host = sipHost(uri);
  return Boolean(domain && host && sameSipHost(host, domain));
}

function spaceHost(url: string): string {
  try {
    return new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`).host;
  } catch {
    return url;
  }
}

export function printCall(r: CallResult): void {
  out(hopLines({ title: 'Test call', ok: r.ok, ...(r.skipped ? { skipped: true } : {}), detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) }));
  // The step the heading already explains is named without repeating the explanation.
  for (const s of r.steps) out(stepLine(s.detail === r.detail && !s.ok && !s.skipped ? { ...s, detail: '' } : s, r.fix));
}
