// What the setup reads from LiveKit, Supabase and the number's carrier, read once per set of inputs and shared by the
// steps: the opening, each credential check (which is the first read it guards), the number's prefill and
// the plan all take the same answer. Reads whose inputs are known start at once, in parallel; a step then
// finds its answer waiting. A failed read, or a Supabase answer that asks for SQL first, is read afresh by
// the next step that asks (a retry after "Try again" or "Done? Check again"); a changed value is a new read.
import type { LiveKitConn, LiveKitLists } from '../services/livekit.js';
import type { CheckedRead, NumberRow, SupabaseConn } from '../services/supabase.js';
import type { Carrier } from '../carriers/carrier.js';
import { carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import type { Session } from './session.js';

interface Entry {
  promise: Promise<unknown>;
  at: number;
  /** Failed, or answered something that must be asked again (a missing table). */
  stale: boolean;
  /** A step has been given it (a read started ahead of time has not, yet). */
  taken: boolean;
}

export interface ReadOptions {
  /** Read again when the answer is older than this (the person took their time at the prompts). */
  maxAgeMs?: number;
  /** Started ahead of any step: its failure waits for the step that asks. */
  ahead?: boolean;
}

/** How old the plan lets a read be: older, LiveKit, the row and the carrier are read again before planning. */
export const PLAN_MAX_AGE_MS = 60_000;

const bySession = new WeakMap<Session, Map<string, Entry>>();

function once<T>(s: Session, key: string, read: () => Promise<T>, o: ReadOptions = {}, usable: (v: T) => boolean = () => true): Promise<T> {
  let memo = bySession.get(s);
  if (!memo) bySession.set(s, (memo = new Map()));
  let e = memo.get(key);
  const old = e && o.maxAgeMs !== undefined && Date.now() - e.at > o.maxAgeMs;
  if (!e || (e.stale && e.taken) || old) {
    const entry: Entry = { promise: read(), at: Date.now(), stale: false, taken: false };
    entry.promise.then(
      (v) => void (entry.stale = !usable(v as T)),
      () => void (entry.stale = true),
    );
    memo.set(key, (e = entry));
  }
  if (!o.ahead) e.taken = true;
  return e.promise as Promise<T>;
}

const keyOf = (...parts: unknown[]) => JSON.stringify(parts);

/** Every trunk and rule; the LiveKit key check. */
export async function liveKitLists(s: Session, conn: LiveKitConn, o?: ReadOptions): Promise<LiveKitLists> {
  const { readLiveKit } = await import('../services/livekit.js');
  return once(s, keyOf('livekit', conn.url, conn.apiKey, conn.apiSecret), () => readLiveKit(conn), o);
}

/** The Supabase key check, with the number's row when the number is known. */
export async function supabaseChecked(s: Session, conn: SupabaseConn, e164: string | undefined, o?: ReadOptions): Promise<CheckedRead> {
  const { readChecked } = await import('../services/supabase.js');
  const key = keyOf('supabase', conn.url, conn.serviceKey, e164);
  return once(s, key, () => readChecked(conn, e164), o, (r) => !r.tableMissing && !r.grantMissing);
}

/** The number's row (the key already checked): a table gone or not granted since is the read's error. */
export async function numberRow(s: Session, conn: SupabaseConn, e164: string, o?: ReadOptions): Promise<NumberRow | undefined> {
  const r = await supabaseChecked(s, conn, e164, o);
  if (r.grantMissing) throw r.grantMissing;
  if (r.tableMissing) {
    // The same one line a plain read gives for it.
    const { readNumberRow } = await import('../services/supabase.js');
    return readNumberRow(conn, e164);
  }
  return r.row;
}

/**
 * The number and its route at its carrier (the carrier's credential check, and the state the plan starts from).
 * The read depends on the connection, the number and what of the target the carrier says it reads (readKey).
 */
export async function carrierState<Conn, State, Target>(
  s: Session,
  carrier: Carrier<Conn, State, Target>,
  conn: Conn,
  e164: string,
  o?: ReadOptions,
): Promise<State> {
  const target = carrier.target(s.values);
  const key = keyOf('carrier', carrier.id, conn, e164, carrier.readKey ? carrier.readKey(target) : target);
  return once(s, key, () => carrier.observe(conn, e164, target), o);
}

/** Starts every read whose inputs the settings already hold, without waiting (a rerun, or every flag given). */
export async function readAhead(s: Session): Promise<void> {
  const ahead = { ahead: true };
  const v = s.values;
  const [{ liveKitConn }, { supabaseConn }] = await Promise.all([import('../services/livekit.js'), import('../services/supabase.js')]);
  const quiet = (p: Promise<unknown>) => void p.catch(() => {});
  const lk = liveKitConn(v);
  if (lk) quiet(liveKitLists(s, lk, ahead));
  const sb = s.ctx.options['no-db'] ? undefined : supabaseConn(v);
  if (sb) quiet(supabaseChecked(s, sb, v.PHONE_NUMBER, ahead));
  const carrier = carrierNamed(carrierOf(v));
  const conn = carrier.conn(v);
  if (conn && v.PHONE_NUMBER) quiet(carrierState(s, carrier, conn, v.PHONE_NUMBER, ahead));
}
