// Why a Twilio call did not reach LiveKit, from Voice Insights (twilio_insights_v1.json): `GET /v1/Voice/{CallSid}/
// Summary` carries, in `properties`, the last SIP answer the call got (`last_sip_response_num`) and who hung up
// (`disconnected_by`); the Call resource has neither. A summary is `partial` at first (complete about half an hour
// later) and may not exist for a few seconds, so a missing one is asked for again, briefly.
import { ServiceError } from '../../errors.js';
import type { CallExplanation, CallToExplain } from '../carrier.js';
import { explainAddressTrunkAnswer } from '../sip-answers.js';
import { call, type TwilioConn } from './http.js';

export interface CallSummary {
  processingState: string | null;
  callState: string | null;
  lastSipResponse?: number;
  disconnectedBy?: string;
}

/** The call's summary, partial or complete; undefined while Insights has none. */
export async function callSummary(conn: TwilioConn, sid: string): Promise<CallSummary | undefined> {
  try {
    const path = `/v1/Voice/${encodeURIComponent(sid)}/Summary?ProcessingState=partial`;
    const body = await call<WireSummary>(conn, { api: 'insights', method: 'GET', path, what: 'read the call summary (Voice Insights)' });
    const p = body?.properties && typeof body.properties === 'object' ? body.properties : {};
    const code = Number(p.last_sip_response_num);
    return {
      processingState: body?.processing_state ?? null,
      callState: body?.call_state ?? null,
      ...(Number.isInteger(code) && code >= 100 ? { lastSipResponse: code } : {}),
      ...(typeof p.disconnected_by === 'string' && p.disconnected_by ? { disconnectedBy: p.disconnected_by } : {}),
    };
  } catch (err) {
    if (err instanceof ServiceError && /\(404\b/.test(err.message)) return undefined;
    throw err;
  }
}

/** A test call explained from its summary; undefined for a live call (no call SID) or while Insights has none. */
export async function explainTwilioCall(conn: TwilioConn, c: CallToExplain, o: { tries?: number; waitMs?: number } = {}): Promise<CallExplanation | undefined> {
  if (!c.id) return undefined;
  let summary: CallSummary | undefined;
  for (let i = 0, tries = o.tries ?? 3; !summary && i < tries; i++) {
    if (i) await new Promise((r) => setTimeout(r, o.waitMs ?? 1500));
    summary = await callSummary(conn, c.id);
  }
  if (!summary) return undefined;
  const code = summary.lastSipResponse;
  // A 2xx means LiveKit took the call; no code on a call that did not ring out unanswered means it never left
  // Twilio for LiveKit (the route hop says why): neither is a SIP answer to explain.
  if (code !== undefined ? code < 300 : summary.callState !== 'noanswer') return undefined;
  const e = explainAddressTrunkAnswer(code, { label: 'Twilio', e164: c.e164, sipDomain: c.sipDomain, disconnectedBy: summary.disconnectedBy });
  return { ...e, cause: `${e.cause} (Twilio Voice Insights, ${summary.processingState ?? 'partial'} summary)` };
}

interface WireSummary {
  processing_state?: string | null;
  call_state?: string | null;
  properties?: { last_sip_response_num?: unknown; disconnected_by?: unknown } | null;
}
