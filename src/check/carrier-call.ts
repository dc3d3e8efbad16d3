// `check --call` for a carrier other than SignalWire (whose test call is check/call.ts): the carrier places one
// real call from another number of the account to ours, the number's route carries it into LiveKit SIP, and the
// check watches LiveKit as for a live call. The caller side says one line and hangs up within --call-seconds
// even if this process dies; the check ends it sooner once the agent is in, and always on the way out.
import type { TrunkNeeds } from '../carriers/carrier.js';
import { carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import { oneLine } from '../redact.js';
import type { Values } from '../settings.js';
import { installSignalHandlers, SIGNAL_EXIT, takeOverSignals } from '../signals.js';
import { seconds } from '../timing.js';
import { dim, out } from '../ui.js';
import { CALL_SECONDS, TEST_LINE, type CallOptions } from './call.js';
import type { LiveKitApi } from './livekit-api.js';
import type { LiveKitFindings } from './livekit-hops.js';
import { reachedFailure, reachedSteps, watchPlacedCall, type CallMarks } from './call-watch.js';
import { sleep } from './probe.js';
import type { CallResult, CallStep, LiveKitConn, LiveResult } from './types.js';

const FINAL = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled']);

export async function carrierCall(api: LiveKitApi, lkConn: LiveKitConn, lk: LiveKitFindings, values: Values, o: CallOptions): Promise<CallResult> {
  const carrier = carrierNamed(carrierOf(values));
  const calls = carrier.testCall;
  const conn = carrier.conn(values);
  if (!calls) return { ok: false, skipped: true, steps: [], detail: `${carrier.label} places no test call here yet` };
  if (!conn) return { ok: false, skipped: true, steps: [], detail: `needs the ${carrier.label} credentials` };
  const e164 = values.PHONE_NUMBER!;
  const sec = o.seconds ?? CALL_SECONDS;
  const none = (detail: string, fix: string): CallResult => ({ ok: false, steps: [], detail: `no call placed: ${detail}`, fix });
  if (o.leg === 'livekit') return none(`--leg livekit dials LiveKit's SIP URI with a digest login, and ${carrier.label} numbers have none`, 'leave out --leg');
  let own: readonly string[];
  try {
    own = await calls.callers(conn);
  } catch (err) {
    return none(oneLine(err, values), `check the ${carrier.label} credentials`);
  }
  if (o.from && !own.includes(o.from)) return none(`--from ${o.from} is not a number of this ${carrier.label} account`, `pick one of ${own.filter((n) => n !== e164).join(', ') || 'its other numbers'}`);
  const from = o.from ?? own.find((n) => n !== e164);
  if (!from) return none(`the ${carrier.label} account holds no number besides ${e164} to call it from`, 'pass --from with another number of the account');
  if (!(await o.confirm(`Test call: places one call of at most ${sec} s from ${from} to ${e164}; ${carrier.label} bills it, and the leg its trunk makes to LiveKit.`)))
    return { ok: false, skipped: true, leg: 'full', steps: [], detail: 'declined: no call placed' };

  const steps: CallStep[] = [];
  const start = Date.now();
  const at = () => Date.now() - start;
  const say = (text: string) => o.print && out(`  ${dim(seconds(at()))} ${text}`);
  let callId: string | undefined;
  let status: string | null = null;
  let carrierDone = false;
  let endedAt: number | undefined;
  const end = async () => {
    if (!callId || endedAt !== undefined) return;
    endedAt = Date.now();
    await calls.end(conn, callId);
  };
  installSignalHandlers();
  const release = takeOverSignals((signal) => {
    void end()
      .catch(() => {})
      .then(() => {
        process.stderr.write(`\n✖ Stopped: ${callId ? 'the test call was ended' : 'no call was placed'}.\n`);
        process.exit(SIGNAL_EXIT[signal]);
      });
  });
  try {
    const pollMs = o.pollMs ?? 500;
    const { watch, ready, marks, stopTimer } = watchPlacedCall(api, lkConn, lk, values, o, {
      e164,
      since: new Date(start - 2000),
      sec,
      at,
      say: (text) => void say(text),
      end,
      endedAt: () => endedAt,
      carrierDone: () => carrierDone,
    });
    const early = await Promise.race([ready.then(() => undefined), watch]);
    if (early) return none(early.detail, early.fix ?? 'fix the LiveKit problem named and rerun');
    const placed = `${carrier.label} placed the call`;
    try {
      callId = await calls.dial(conn, { from, to: e164, line: TEST_LINE, seconds: sec, ringSec: o.ringSec ?? 30 });
    } catch (err) {
      carrierDone = true;
      await watch.catch(() => undefined);
      const detail = oneLine(err, values);
      steps.push({ title: placed, ok: false, atMs: at(), detail });
      return { ok: false, leg: 'full', from, to: e164, steps, detail: `${carrier.label} did not place the call: ${detail}`, fix: 'fix the problem named and rerun' };
    }
    steps.push({ title: placed, ok: true, atMs: at(), detail: `from ${from} to ${e164}, call ${callId}` });
    say(`${carrier.label} placed call ${callId}`);
    const follow = (async () => {
      for (;;) {
        status = (await calls.status(conn, callId!).catch(() => status)) ?? status;
        if (status && FINAL.has(status)) break;
        await sleep(pollMs);
      }
      carrierDone = true;
    })();
    const live = await watch;
    stopTimer();
    await end().catch(() => {});
    carrierDone = true;
    await Promise.race([follow, sleep(pollMs * 4)]).catch(() => {});
    return { ...verdict(carrier.label, carrier.trunkNeeds(values), live, steps, e164, status, marks), leg: 'full', from, to: e164, callId, ended: true };
  } finally {
    release();
    await end().catch(() => {});
  }
}

function verdict(label: string, needs: TrunkNeeds, live: LiveResult, steps: CallStep[], e164: string, status: string | null, marks: CallMarks): { ok: boolean; steps: CallStep[]; detail: string; fix?: string } {
  const skip = (title: string, why: string) => steps.push({ title, ok: false, skipped: true, detail: why });
  if (!live.room) {
    // No room says only that LiveKit SIP did not take the call, not that the INVITE never got there: a self-hosted
    // livekit-sip rings (180) and then drops, with no final answer, a caller its trunk does not admit.
    const detail = `no room was created: LiveKit SIP did not take the call (${label} reports it ${status ?? 'unknown'})`;
    const admits =
      needs.kind === 'addresses'
        ? `LiveKit's trunk admits ${label}'s signalling addresses (a self-hosted LiveKit SIP rings, then drops without an answer, a call from an address outside the trunk's allowedAddresses)`
        : `${label} sends the trunk's digest login`;
    const fix = `check that ${admits}, and the "${label} number routes to LiveKit SIP" hop above`;
    steps.push({ title: 'LiveKit SIP answered', ok: false, detail, fix });
    for (const t of ['Room created', 'SIP participant called our number', 'Agent joined']) skip(t, 'LiveKit SIP did not take the call');
    return { ok: false, steps, detail, fix };
  }
  steps.push(...reachedSteps(live, e164, marks));
  steps.push({ title: 'Call ended', ok: true, detail: `${label}: ${status ?? 'ended'}` });
  const failed = steps.find((s) => !s.ok && !s.skipped);
  if (!failed) return { ok: true, steps, detail: `the call went through: ${label} → ${e164} → room → agent` };
  return { ok: false, steps, detail: reachedFailure(live, failed), ...(failed.fix ? { fix: failed.fix } : {}) };
}
