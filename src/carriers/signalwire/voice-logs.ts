// Voice logs (specs/signalwire-rest/voice-api/logs): a log per call leg, its events carry the detail.
import { ServiceError } from '../../errors.js';
import { call, listAll, VOICE_LOGS, type SignalWireConn } from './http.js';

export interface VoiceLog {
  id: string;
  from: string;
  to: string;
  /** relay_pstn_call, relay_sip_call, laml_call, … */
  type: string | null;
  direction: string | null;
  /** queued, ringing, answered, in-progress, completed, busy, failed, no-answer, canceled, ended, … */
  status: string | null;
  durationSec: number | null;
  charge: number | null;
  parentId: string | null;
  createdAt: string | null;
}

export interface VoiceLogEvent {
  at: string | null;
  level: string | null;
  name: string;
  details: Record<string, unknown>;
}

/**
 * The logs created since `since`. created_after is sent as a full timestamp, so a busy day's earlier logs do not
 * crowd out the call's; the spec types it as a date, so a 422 on the timestamp retries with the day (older
 * logs of that day are then dropped here).
 */
export async function listVoiceLogs(conn: SignalWireConn, since: Date): Promise<VoiceLog[]> {
  const list = (after: string) =>
    listAll<WireLog>(conn, { method: 'GET', path: `${VOICE_LOGS}?created_after=${encodeURIComponent(after)}&page_size=100`, what: 'list voice logs', scope: 'Voice', maxPages: 5 });
  const rows = await list(since.toISOString()).catch((err: unknown) => {
    if (err instanceof ServiceError && /\(422\b/.test(err.message)) return list(since.toISOString().slice(0, 10));
    throw err;
  });
  return rows.map(toVoiceLog).filter((l) => !l.createdAt || Date.parse(l.createdAt) >= since.getTime() - 1000);
}

/** One log; undefined when SignalWire has none under this id (yet). */
export async function getVoiceLog(conn: SignalWireConn, id: string): Promise<VoiceLog | undefined> {
  try {
    return toVoiceLog(await call<WireLog>(conn, { method: 'GET', path: `${VOICE_LOGS}/${encodeURIComponent(id)}`, what: 'read the voice log', scope: 'Voice' }));
  } catch (err) {
    if (err instanceof ServiceError && /\(404\b/.test(err.message)) return undefined;
    throw err;
  }
}

export async function voiceLogEvents(conn: SignalWireConn, id: string): Promise<VoiceLogEvent[]> {
  const body = await call<{ data?: unknown }>(conn, { method: 'GET', path: `${VOICE_LOGS}/${encodeURIComponent(id)}/events`, what: 'read the voice log events', scope: 'Voice' });
  const rows = Array.isArray(body?.data) ? (body.data as WireEvent[]) : [];
  return rows.map((e) => ({
    at: typeof e.event_at === 'string' ? e.event_at : null,
    level: typeof e.level === 'string' ? e.level : null,
    name: typeof e.name === 'string' ? e.name : '',
    details: e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {},
  }));
}

interface WireLog {
  id: string;
  from?: string;
  to?: string;
  type?: string | null;
  direction?: string | null;
  status?: string | null;
  duration?: number | null;
  charge?: number | null;
  parent_id?: string | null;
  created_at?: string | null;
}

interface WireEvent {
  event_at?: unknown;
  level?: unknown;
  name?: unknown;
  details?: unknown;
}

function toVoiceLog(w: WireLog): VoiceLog {
  return {
    id: w.id,
    from: w.from ?? '',
    to: w.to ?? '',
    type: w.type ?? null,
    direction: w.direction ?? null,
    status: w.status ?? null,
    durationSec: typeof w.duration === 'number' ? w.duration : null,
    charge: typeof w.charge === 'number' ? w.charge : null,
    parentId: w.parent_id ?? null,
    createdAt: w.created_at ?? null,
  };
}
