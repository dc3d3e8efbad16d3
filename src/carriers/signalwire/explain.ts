// A failed call explained from SignalWire's own log: find the SIP leg toward LiveKit among the voice logs,
// read its SIP answer from the log and its events, and map it to one cause and one fix. The codes are
// those LiveKit SIP answers (livekit/sip pkg/sip/inbound.go): 404 no trunk (or no rule), 407 the digest
// challenge when no login was sent, 401 a wrong login, 486 a rejected call; and SignalWire's own 603 on a
// trial space (which logs nothing). No answer at all means the SIP domain or transport, or, on a self-hosted
// LiveKit, a number no trunk or rule takes (dropped unanswered).
import { tool } from '../../invocation.js';
import { normalizeNumber } from '../../services/sip-number.js';
import { isSelfHostedSip, sameSipHost, sipHost, sipUser } from '../../sip-uri.js';
import type { CallExplanation as Explanation } from '../carrier.js';
import type { SignalWireConn } from './http.js';
import { listVoiceLogs, voiceLogEvents, type VoiceLog, type VoiceLogEvent } from './voice-logs.js';

export type { Explanation };

export interface ExplainContext {
  /** The number the call was for (E.164). */
  e164: string;
  /** LIVEKIT_SIP_DOMAIN. */
  sipDomain?: string | undefined;
  /** The SIP URI the SIP leg dialled, when known (its user is what LiveKit matched against the trunks). */
  dialled?: string | undefined;
  reason?: string | undefined;
}

export interface SipLeg {
  log: VoiceLog;
  code?: number;
  reason?: string;
}

/** The SIP answer `code` in words: one cause, one fix. */
export function explainSip(code: number | undefined, c: ExplainContext): Explanation {
  const user = c.dialled ? sipUser(c.dialled) : undefined;
  const host = c.dialled ? sipHost(c.dialled) : undefined;
  // A 408 is the caller giving up: nothing answered, so it is not said to come from LiveKit.
  const said = code === 408 ? 'no SIP answer (the carrier gave up: 408 Request Timeout)' : code ? `LiveKit SIP answered ${code}${c.reason ? ` ${c.reason}` : ''}` : '';
  if (host && c.sipDomain && !sameSipHost(host, c.sipDomain) && (!code || code === 408 || code >= 480) && code !== 486 && code !== 603)
    return {
      code,
      cause: `the SWML dials ${host}, not LIVEKIT_SIP_DOMAIN ${c.sipDomain}, and nothing answered there (${code ? `${code}` : 'no answer'})`,
      fix: `point the number at the current SWML: rerun ${tool()} (or paste \`${tool()} swml\` into the SWML script)`,
    };
  // Whatever LiveKit answered (404 on LiveKit Cloud; nothing at all from a self-hosted server), a literal
  // {{…}} in the dialled user is the cause.
  if (user && /\{\{|\}\}/.test(user) && code !== 200)
    return {
      code,
      cause: `${said || 'no SIP answer'}: the SWML dials the user "${user}" literally; {{…}} is cXML syntax and SWML does not substitute it`,
      fix: `use %{call.to} in the SWML: rerun ${tool()}, or paste the output of \`${tool()} swml\``,
    };
  if (code === 404) {
    const norm = user ? normalizeNumber(user) : undefined;
    const how = user
      ? `"${user}" normalises to "${norm}" (LiveKit strips spaces, -, ( and ) and adds a missing +)`
      : `LiveKit compares ${c.e164} after stripping spaces, -, ( and ) and adding a missing +`;
    return {
      code,
      cause: `${said}: no inbound trunk (or no dispatch rule) matches the called number; ${how}${norm && norm !== c.e164 ? `, not ${c.e164}` : ''}`,
      fix: `put ${c.e164} on the inbound trunk and a rule on that trunk: rerun ${tool()} --number ${c.e164}`,
    };
  }
  if (code === 401 || code === 407)
    return {
      code,
      cause: `${said}: the SIP login the SWML sends does not match the trunk's digest username and password${code === 407 ? ' (or it sends none)' : ''}`,
      fix:
        `rerun ${tool()} so the trunk, .env and the SWML carry the same LIVEKIT_SIP_USERNAME / LIVEKIT_SIP_PASSWORD; ` +
        'paste the SWML from signalwire-swml.json, not the screen (the password shows there as ********)',
    };
  if (code === 486 || code === 403 || code === 488)
    return {
      code,
      cause: `${said}: LiveKit matched the call but a trunk or dispatch rule rejects it (allowed numbers or addresses, a rule's numbers filter, or no rule for the trunk)`,
      fix: 'see the LiveKit doctor above: the trunk must admit SignalWire (no allowedAddresses, or SignalWire in them) and one rule must cover the trunk and the number',
    };
  if (code === 603)
    return {
      code,
      cause: 'SignalWire declined the SIP call (603): a space in Trial Mode refuses SIP traffic and leaves nothing in the voice log',
      fix: 'end Trial Mode by funding the space with at least $5 (SignalWire → Billing), then rerun',
    };
  // A self-hosted livekit-server has LiveKit SIP drop (not refuse) an INVITE that matches no trunk and no rule
  // (livekit-server pkg/service/ioservice_sip.go: no dispatch match → DROP); only LiveKit Cloud answers 404.
  const selfHosted = c.sipDomain && isSelfHostedSip(c.sipDomain) && (!host || sameSipHost(host, c.sipDomain));
  if (selfHosted && (!code || code === 408 || code === 480))
    return {
      code,
      cause:
        `${code ? said : 'no SIP answer'}: nothing at ${c.sipDomain} answered the INVITE; a self-hosted LiveKit SIP drops, without answering, ` +
        `a call to a number that no inbound trunk and no dispatch rule take (LiveKit Cloud answers 404 instead), or the SIP port is not reachable`,
      fix: `put ${c.e164} on the inbound trunk and a rule on that trunk (rerun ${tool()} --number ${c.e164}); the SIP service hop above shows whether ${c.sipDomain} answers SIP`,
    };
  if (!code || code === 408 || code === 480 || code === 503 || code === 504)
    return {
      code,
      cause: `${code ? said : 'no SIP answer'}: nothing at ${host ?? c.sipDomain ?? 'the SIP domain'} answered the INVITE; the SIP domain or the transport is wrong`,
      fix: 'LIVEKIT_SIP_DOMAIN must be the SIP URI host from LiveKit Cloud → Settings → Project (<project id>.sip.livekit.cloud) and the SWML must dial it with ;transport=tcp',
    };
  return {
    code,
    cause: `${said}: LiveKit SIP refused the call`,
    fix: 'look the code up in SignalWire → Logs → Voice and in LiveKit Cloud → Telephony → Calls; rerun the check once fixed',
  };
}

// Names a SIP code goes by in a log event's details: SignalWire documents no schema for them.
const CODE_FIELDS = ['sip_code', 'sip_status_code', 'sip_response_code', 'sip_status', 'response_code', 'code'];
const REASON_FIELDS = ['sip_reason', 'sip_status_text', 'sip_response_reason', 'reason'];

/** The SIP answer a leg's events record (the last one that names a code). */
export function sipAnswerOf(events: VoiceLogEvent[]): { code?: number; reason?: string } {
  let found: { code?: number; reason?: string } = {};
  for (const e of events) {
    const d = e.details;
    const raw = CODE_FIELDS.map((k) => d[k]).find((v) => (typeof v === 'number' || typeof v === 'string') && /^[1-6]\d\d\b/.test(String(v)));
    if (raw === undefined) continue;
    const code = Number(String(raw).slice(0, 3));
    const reason = REASON_FIELDS.map((k) => d[k]).find((v) => typeof v === 'string' && v) as string | undefined;
    found = reason ? { code, reason } : { code };
  }
  return found;
}

/** The SIP leg toward LiveKit among the logs since the call: one dialling the SIP domain, else any SIP leg. */
export function sipLegAmong(logs: VoiceLog[], o: { sipDomain?: string | undefined }): VoiceLog | undefined {
  const sip = logs.filter((l) => /^sips?:/i.test(l.to));
  const toDomain = o.sipDomain ? sip.filter((l) => { const h = sipHost(l.to); return Boolean(h && sameSipHost(h, o.sipDomain!)); }) : [];
  // Newest first, whatever order the list came in.
  const newest = (a: VoiceLog, b: VoiceLog) => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? '');
  return [...toDomain].sort(newest)[0] ?? [...sip].sort(newest)[0];
}

/**
 * Reads SignalWire's logs since `since` and explains the SIP leg toward LiveKit; undefined when the logs hold
 * no SIP leg, or the leg was answered (the caller then decides: a trial space logs nothing).
 */
export async function explainFromLogs(
  conn: SignalWireConn,
  o: { since: Date; e164: string; sipDomain?: string | undefined },
): Promise<(Explanation & { leg: SipLeg }) | undefined> {
  const log = sipLegAmong(await listVoiceLogs(conn, o.since), o);
  if (!log) return undefined;
  return explainLeg(conn, log, o, voiceLogEvents);
}

/** One SIP leg's log explained; undefined when LiveKit answered it (200). */
export async function explainLeg(
  conn: SignalWireConn,
  log: VoiceLog,
  o: { e164: string; sipDomain?: string | undefined },
  events: (conn: SignalWireConn, id: string) => Promise<VoiceLogEvent[]>,
): Promise<(Explanation & { leg: SipLeg }) | undefined> {
  const list = await events(conn, log.id);
  const answer = sipAnswerOf(list);
  const code = answer.code ?? codeOfStatus(log.status);
  if (code === 200) return undefined;
  const leg: SipLeg = { log, ...(code ? { code } : {}), ...(answer.reason ? { reason: answer.reason } : {}) };
  const e = explainSip(code, { e164: o.e164, sipDomain: o.sipDomain, dialled: log.to, reason: answer.reason });
  // No field we know names the code: show what SignalWire did record, so the person can read it.
  const last = list.at(-1);
  if (answer.code === undefined && last) e.cause += `; SignalWire's last event for the leg: ${last.name} ${clipped(JSON.stringify(last.details, (k, v) => (/pass|secret|token|auth/i.test(k) ? '••••' : v)), 160)}`;
  return { ...e, leg };
}

function clipped(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** When the events name no code, the leg's status still says something. */
function codeOfStatus(status: string | null): number | undefined {
  if (status === 'busy') return 486;
  if (status === 'answered' || status === 'completed' || status === 'in-progress') return 200;
  return undefined;
}
