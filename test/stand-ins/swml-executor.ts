// What SignalWire does with a number's SWML when a call reaches it, for the SignalWire stand-in: parse the
// document, substitute `%{call.to}` / `%{call.from}` (also `${…}`; `{{To}}` is cXML and stays as written),
// and for a `connect` to a SIP URI drive a SIP dialer with the document's `to`, `username` and `password`.
// Also a dialer over the LiveKit stand-in's simulated call that answers the SIP codes LiveKit SIP answers
// (livekit/sip pkg/sip/inbound.go): 404 "No trunk found", 407 challenge when no login was sent, 401 when the
// login is wrong, 486 when the call is rejected; a host that is not LiveKit's gets no answer (408).
import { sameSipHost } from '../../src/sip-uri.ts';
import { normalizeNumber } from '../../src/services/sip-number.ts';
import type { LiveKitStandIn } from './livekit.ts';
import type { SipAnswer, SipDial, SipDialer } from './sip-dialer.ts';

export interface CallVars {
  to: string;
  from: string;
}

export interface ConnectTarget {
  to: string;
  username?: string;
  password?: string;
}

export type Parsed = { ok: true; main: unknown[] } | { ok: false; why: string };

/** A calling SWML document, as an object or its JSON text. */
export function parseSwml(contents: unknown): Parsed {
  let doc = contents;
  if (typeof contents === 'string') {
    try {
      doc = JSON.parse(contents);
    } catch {
      return { ok: false, why: 'the SWML is not JSON' };
    }
  }
  const main = (doc as { sections?: { main?: unknown } } | null)?.sections?.main;
  if (!Array.isArray(main)) return { ok: false, why: 'the SWML has no sections.main list' };
  return { ok: true, main };
}

/** Every string in the document with the call's variables filled in, as SignalWire does before running it. */
export function substitute<T>(value: T, vars: CallVars): T {
  const fill = (s: string) =>
    s.replace(/[%$]\{\s*call\.(to|from)\s*\}/g, (_, k: 'to' | 'from') => vars[k]);
  const walk = (v: unknown): unknown =>
    typeof v === 'string' ? fill(v) : Array.isArray(v) ? v.map(walk) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v;
  return walk(value) as T;
}

/** The first `connect` of the main section, when it dials a SIP URI. */
export function connectOf(main: unknown[]): ConnectTarget | undefined {
  for (const step of main) {
    const c = (step as { connect?: { to?: unknown; username?: unknown; password?: unknown } } | null)?.connect;
    if (!c || typeof c.to !== 'string') continue;
    if (!/^sips?:/i.test(c.to)) return undefined;
    const t: ConnectTarget = { to: c.to };
    if (typeof c.username === 'string') t.username = c.username;
    if (typeof c.password === 'string') t.password = c.password;
    return t;
  }
  return undefined;
}

/** How long a caller-side SWML keeps the call up: its `silence:N` plays, in milliseconds. */
export function holdMsOf(main: unknown[]): number {
  let s = 0;
  for (const step of main) {
    const urls = (step as { play?: { urls?: unknown; url?: unknown } } | null)?.play;
    const list = Array.isArray(urls?.urls) ? urls.urls : typeof urls?.url === 'string' ? [urls.url] : [];
    for (const u of list) {
      const m = typeof u === 'string' ? /^silence:(\d+(?:\.\d+)?)$/.exec(u) : null;
      if (m) s += Number(m[1]);
    }
  }
  return Math.round(s * 1000);
}

/** A final SIP answer that is not a call: nothing to hang up. */
export function refused(code: number, reason: string): SipAnswer {
  return { code, reason, ended: Promise.resolve(), hangup: async () => {} };
}

const SIP_URI = /^sips?:([^@;>]+)@([^;>:]+)(?::(\d+))?(;[^>]*)?$/i;

export interface LiveKitDialerOptions {
  /** The host LiveKit SIP answers on (LIVEKIT_SIP_DOMAIN in the tests); any other gets no answer. */
  host: string;
  /** How long an unanswered INVITE takes to give up (default 200 ms; SignalWire waits far longer). */
  noAnswerMs?: number;
}

/** A dialer over the LiveKit stand-in: the INVITE becomes simulateCall, its failure the SIP code LiveKit gives. */
export function liveKitDialer(lk: LiveKitStandIn, o: LiveKitDialerOptions): SipDialer {
  return async (d: SipDial): Promise<SipAnswer> => {
    const m = SIP_URI.exec(d.uri);
    if (!m) return refused(400, 'Bad Request');
    if (!sameSipHost(m[3] ? `${m[2]}:${m[3]}` : m[2]!, o.host)) {
      await new Promise((r) => setTimeout(r, o.noAnswerMs ?? 200));
      return refused(408, 'Request Timeout');
    }
    const called = decodeURIComponent(m[1]!);
    const norm = normalizeNumber(called);
    // The challenge comes only after a trunk matched (LiveKit answers 404 first when none does).
    const trunk = [...lk.trunks.values()].find((t) => t.numbers.some((n) => n === called || normalizeNumber(n) === norm));
    if (trunk?.authUsername && !d.username) return refused(407, 'Unauthorized');
    let room: string;
    let identity: string;
    try {
      const call = await lk.simulateCall({ to: called, from: d.from, ...(d.username ? { auth: { username: d.username, password: d.password ?? '' } } : {}), ...(d.source ? { source: d.source } : {}) });
      room = call.room;
      identity = call.participant.identity;
    } catch (err) {
      const e = err as { meta?: Record<string, string>; code?: string; message?: string };
      const code = Number(e.meta?.sip_status_code) || (e.code === 'unauthenticated' ? 401 : e.code === 'not_found' ? 404 : 486);
      return refused(code, e.meta?.sip_status ?? (code === 486 ? 'Busy Here' : (e.message ?? 'Rejected')));
    }
    let done!: () => void;
    const ended = new Promise<void>((r) => (done = r));
    let over = false;
    const hangup = async () => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      // The caller leaves: the SIP participant goes, as LiveKit removes it on BYE.
      const r = lk.rooms.get(room);
      if (r) r.participants = r.participants.filter((p) => p.identity !== identity);
      done();
    };
    const timer = setTimeout(() => void hangup(), d.holdMs);
    return { code: 200, reason: 'OK', ended, hangup };
  };
}
