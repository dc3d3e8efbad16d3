// Why a Telnyx test call did not reach LiveKit, from Telnyx's own record of the call (spec3.json): `GET /v2/call_events
// ?filter[leg_id]=<call_leg_id>` lists the leg's commands and webhooks (CallEvent: name, type, metadata), and its
// `call.hangup` webhook (CallHangup) says why the call ended: `sip_hangup_cause`, the SIP response code as a string
// ("unspecified" when there was none), `hangup_cause` (call_rejected, normal_clearing, originator_cancel, timeout,
// time_limit, user_busy, not_found, no_answer, unspecified) and `hangup_source` (caller, callee, unknown).
// The spec types a CallEvent's `metadata` only as an object that "includes raw event", so the hangup's fields are
// looked for wherever they sit in it. Events are recorded as the call runs and may lag its end, so a leg without a
// hangup yet is asked again, briefly, as Twilio's summary is. The leg read is the one POST /v2/calls made (Telnyx to
// our number); that its hangup carries the SIP answer of the leg our FQDN connection sends to LiveKit is
// *unverified* on a real account (docs/carriers.md).
import type { CallExplanation, CallToExplain } from '../carrier.js';
import { explainAddressTrunkAnswer } from '../sip-answers.js';
import { callIdParts } from './calls.js';
import { call, listAll, q, type TelnyxConn } from './http.js';

/** What a call.hangup webhook records; each field only when it names something. */
export interface TelnyxHangup {
  hangupCause?: string;
  hangupSource?: string;
  /** A SIP response code; undefined for "unspecified" or none. */
  sipCode?: number;
}

interface WireEvent {
  name?: unknown;
  type?: unknown;
  event_timestamp?: unknown;
  metadata?: unknown;
}

/**
 * The hangup fields out of a call.hangup event's metadata: the first object, breadth first and a few levels down,
 * that carries `hangup_cause` or `sip_hangup_cause` (the webhook's `payload`, under whatever wraps it).
 */
export function hangupOf(metadata: unknown): TelnyxHangup | undefined {
  let level: unknown[] = [metadata];
  for (let depth = 0; depth < 5 && level.length; depth++) {
    const next: unknown[] = [];
    for (const v of level) {
      if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
      const o = v as Record<string, unknown>;
      if (typeof o.hangup_cause === 'string' || typeof o.sip_hangup_cause === 'string' || typeof o.sip_hangup_cause === 'number') {
        const sip = Number(o.sip_hangup_cause);
        const word = (x: unknown) => (typeof x === 'string' && x && x !== 'unspecified' && x !== 'unknown' ? x : undefined);
        const cause = word(o.hangup_cause);
        const source = word(o.hangup_source);
        return { ...(cause ? { hangupCause: cause } : {}), ...(source ? { hangupSource: source } : {}), ...(Number.isInteger(sip) && sip >= 100 && sip < 700 ? { sipCode: sip } : {}) };
      }
      next.push(...Object.values(o));
    }
    level = next;
  }
  return undefined;
}

/** The leg's hangup, from its call.hangup webhook event (the last one); undefined while Telnyx has recorded none. */
export async function legHangup(conn: TelnyxConn, leg: string): Promise<TelnyxHangup | undefined> {
  const events = await listAll<WireEvent>(conn, {
    method: 'GET',
    // filter[name] is not used: the spec's words for it are about conferences, so the few events of the leg are
    // read whole and the hangup picked here.
    path: `/call_events?filter[leg_id]=${q(leg)}`,
    what: 'read the call events of the test call',
  });
  const hangups = events.filter((e) => e?.name === 'call.hangup' && e.type !== 'command');
  const last = hangups.at(-1);
  // A hangup whose metadata holds none of the fields still says the call is over: nothing more to wait for.
  return last ? (hangupOf(last.metadata) ?? {}) : undefined;
}

/**
 * The SIP answer a hangup stands for, read as LiveKit's: its sip_hangup_cause when it names a code, else the
 * hangup_cause of the same meaning; `code` undefined: nothing answered. `null`: the call ended normally (answered),
 * or the record says nothing a cause can rest on.
 */
export function answerOf(h: TelnyxHangup): { code: number | undefined; from: 'sip' | 'cause' | 'cancel' } | null {
  const { sipCode: sip, hangupCause: cause } = h;
  // Answered, then ended by either side or by the time limit: LiveKit took the call.
  if ((sip !== undefined && sip < 300) || cause === 'normal_clearing' || cause === 'time_limit') return null;
  // The caller side (the check ending the call) cancelled before any final answer came: 487 is
  // the answer to that CANCEL, not LiveKit's verdict, so the call counts as unanswered.
  if (cause === 'originator_cancel' && (sip === undefined || sip === 487)) return { code: undefined, from: 'cancel' };
  if (sip !== undefined) return { code: sip, from: 'sip' };
  const byCause: Record<string, number | undefined> = { timeout: undefined, no_answer: 480, user_busy: 486, call_rejected: 403, not_found: 404 };
  if (cause && cause in byCause) return { code: byCause[cause], from: 'cause' };
  return null;
}

/** One cause and one fix for a hangup; undefined when the call ended normally or the record names no cause. */
export function explainHangup(h: TelnyxHangup, c: { e164: string; sipDomain?: string | undefined }): CallExplanation | undefined {
  const a = answerOf(h);
  if (!a) return undefined;
  const e = explainAddressTrunkAnswer(a.code, { label: 'Telnyx', e164: c.e164, sipDomain: c.sipDomain, disconnectedBy: h.hangupSource, route: (where) => `our FQDN connection must send to ${where} over TCP` });
  const fields = [`sip_hangup_cause ${h.sipCode ?? 'unspecified'}`, `hangup_cause ${h.hangupCause ?? 'unspecified'}`, ...(h.hangupSource ? [`hangup_source ${h.hangupSource}`] : [])];
  // A code inferred from hangup_cause alone is said to be so: Telnyx recorded no SIP answer.
  const note = a.from === 'cause' ? '; the code is read from hangup_cause, Telnyx recorded no SIP code' : a.from === 'cancel' ? '; the caller side ended the call before any final SIP answer' : '';
  return { ...e, cause: `${e.cause} (Telnyx call events: ${fields.join(', ')}${note})` };
}

/** The leg id of a call known only by its call_control_id, from the Call resource while Telnyx still has it. */
async function legOf(conn: TelnyxConn, control: string): Promise<string | undefined> {
  try {
    const res = await call<{ data?: { call_leg_id?: unknown } }>(conn, { method: 'GET', path: `/calls/${q(control)}`, what: 'read the test call' });
    return typeof res?.data?.call_leg_id === 'string' && res.data.call_leg_id ? res.data.call_leg_id : undefined;
  } catch {
    return undefined;
  }
}

/** A test call explained from its leg's call events; undefined for a live call (no id), or while no hangup is recorded. */
export async function explainTelnyxCall(conn: TelnyxConn, c: CallToExplain, o: { tries?: number; waitMs?: number } = {}): Promise<CallExplanation | undefined> {
  if (!c.id) return undefined;
  const parts = callIdParts(c.id);
  const leg = parts.leg ?? (await legOf(conn, parts.control));
  if (!leg) return undefined;
  let hangup: TelnyxHangup | undefined;
  for (let i = 0, tries = o.tries ?? 3; !hangup && i < tries; i++) {
    if (i) await new Promise((r) => setTimeout(r, o.waitMs ?? 1500));
    hangup = await legHangup(conn, leg);
  }
  return hangup && explainHangup(hangup, c);
}
