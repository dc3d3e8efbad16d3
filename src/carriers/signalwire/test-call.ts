// SignalWire's test call (`check --call`) and its explanation. Full path: from another number of the space (or
// --from, which may be a verified caller ID) to ours, so the number's real handler runs our SWML into LiveKit
// SIP. LiveKit leg alone (--leg livekit): straight to LiveKit's SIP URI with the trunk's login. The caller side
// runs a tiny SWML (one line, silence, hang up), so the call ends by itself even if the check dies. A call that
// fails is explained from SignalWire's voice logs (explain.ts).
import type { Values } from '../../settings.js';
import { sameSipHost, sipHost } from '../../sip-uri.js';
import { CallRefused, type CallExplanation, type CallPlan, type CallToExplain, type CarrierTestCall } from '../carrier.js';
import { dialCall, endCall } from './calling.js';
import { numberPage } from './dashboard.js';
import { explainFromLogs, explainSip } from './explain.js';
import { SIGNALWIRE_HOP } from './hops.js';
import type { SignalWireConn } from './http.js';
import { listNumbers, listVerifiedNumbers } from './numbers.js';
import { getVoiceLog } from './voice-logs.js';

/** The caller side: say one line, stay for the rest of the time, hang up. */
export function callerSwml(line: string, sec: number): object {
  return {
    version: '1.0.0',
    sections: { main: [{ play: { urls: [`say:${line}`] } }, { play: { urls: [`silence:${Math.max(1, sec - 2)}`] } }, { hangup: {} }] },
  };
}

export const signalWireTestCall: CarrierTestCall<SignalWireConn> = {
  callers: async (conn) => (await listNumbers(conn)).map((n) => n.number),
  plan: planCall,
  async dial(conn, p) {
    const login = p.login ? { username: p.login.username, password: p.login.password } : {};
    return (await dialCall(conn, { from: p.from, to: p.to, swml: callerSwml(p.line, p.seconds), timeoutSec: p.ringSec, ...login })).id;
  },
  end: endCall,
  // How soon a log appears is not documented: none yet is null, and the check asks less and less often.
  status: async (conn, id) => (await getVoiceLog(conn, id))?.status ?? null,
  via: 'our number',
  routeTitle: 'Our number ran our SWML',
  endName: 'calling.end',
};

/** Where the call goes and from where; refuses before anything is dialled. */
async function planCall(conn: SignalWireConn, values: Values, o: { leg?: CallPlan['leg'] | undefined; from?: string | undefined }): Promise<CallPlan> {
  const e164 = values.PHONE_NUMBER!;
  const [numbers, verified] = await Promise.all([listNumbers(conn), listVerifiedNumbers(conn)]);
  const own = numbers.map((n) => n.number);
  const space = spaceHost(values.SIGNALWIRE_SPACE_URL ?? '');
  if (o.from && !own.includes(o.from) && !verified.includes(o.from)) {
    // Only other numbers help: calling our number from itself is no way out, so never offer that (no circle).
    const others = [...own.filter((n) => n !== e164), ...verified];
    throw new CallRefused(
      `--from ${o.from} is neither a number of ${space} nor a verified caller ID, and SignalWire places calls only from those`,
      others.length
        ? `pick one of ${others.join(', ')}, or verify it (SignalWire → Phone Numbers → Verified Caller IDs)`
        : 'verify it (SignalWire → Phone Numbers → Verified Caller IDs), or pass --leg livekit, which needs no caller',
    );
  }

  if (o.leg === 'livekit') {
    if (!values.LIVEKIT_SIP_DOMAIN) throw new CallRefused("--leg livekit dials LiveKit's SIP URI, and LIVEKIT_SIP_DOMAIN is not set", 'set LIVEKIT_SIP_DOMAIN');
    const from = o.from ?? (own.includes(e164) ? e164 : own[0]);
    if (!from) throw new CallRefused(`${space} has no number to call from`, 'pass --from with a verified caller ID');
    const plan: CallPlan = { leg: 'livekit', from, to: `sip:${e164}@${values.LIVEKIT_SIP_DOMAIN};transport=tcp` };
    if (values.LIVEKIT_SIP_USERNAME && values.LIVEKIT_SIP_PASSWORD) plan.login = { username: values.LIVEKIT_SIP_USERNAME, password: values.LIVEKIT_SIP_PASSWORD };
    return plan;
  }
  if (!own.includes(e164))
    throw new CallRefused(`${e164} is not a number of ${space}, so a call to it would not run a handler there`, 'check --number, or pass --leg livekit to test the LiveKit leg alone');
  const from = o.from ?? own.find((n) => n !== e164);
  if (from) return { leg: 'full', from, to: e164 };
  // One number: what every trial space holds. A trial space declines SIP calls (603) and calls only its own and
  // verified numbers, and SignalWire's API does not say whether a space is in trial: do not dial on a guess.
  throw new CallRefused(
    `${space} holds one number, as a space in Trial Mode does, and a trial space declines the SIP call to LiveKit (603) and calls only verified numbers`,
    'pass --from with a verified caller ID to go the full path, or --leg livekit if the space is funded',
  );
}

/**
 * A call that did not reach LiveKit, from SignalWire's voice logs: the SIP leg toward LiveKit and its answer.
 * A live call (no id) is explained only when the logs hold that leg. A test call's full path also says whether
 * the number's handler got as far as dialling LiveKit; on the LiveKit leg alone, no log at all is a trial space.
 */
export async function explainSignalWireCall(conn: SignalWireConn, c: CallToExplain): Promise<CallExplanation | undefined> {
  const why = await explainFromLogs(conn, { since: c.since, e164: c.e164, sipDomain: c.sipDomain }).catch(() => undefined);
  if (c.id === undefined) return why;
  if (c.leg === 'livekit') {
    if (!why && !(await getVoiceLog(conn, c.id).catch(() => undefined))) return explainSip(603, { e164: c.e164, sipDomain: c.sipDomain });
    return why ?? explainSip(undefined, { e164: c.e164, sipDomain: c.sipDomain });
  }
  if (why) {
    const host = sipHost(why.leg.log.to);
    const atLiveKit = why.code !== undefined && Boolean(c.sipDomain && host && sameSipHost(host, c.sipDomain));
    return { code: why.code, cause: why.cause, fix: why.fix, stopped: atLiveKit ? 'livekit' : 'route' };
  }
  const status = c.status ?? null;
  const never = status === 'no-answer' || status === null || status === 'ringing' || status === 'queued';
  return {
    cause: never
      ? `SignalWire reports the call as ${status ?? 'not logged'}: ${c.e164} never answered, so its handler did not connect to LiveKit`
      : `the call ended ${status} without a SIP leg to ${c.sipDomain}: the number's handler did not run our SWML`,
    fix: `check the "${SIGNALWIRE_HOP.title}" hop above (${numberPage(c.e164)}); SignalWire → Logs → Voice shows what it ran`,
    stopped: 'carrier',
  };
}

function spaceHost(url: string): string {
  try {
    return new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`).host;
  } catch {
    return url;
  }
}
