// The only code that talks to Supabase (with supabase-row.ts, which writes the number's row through the client
// here): PostgREST requests through supabase-js, loaded lazily so the CLI starts fast. What it relies on (FACTS.md; PostgREST's src/PostgREST/Error.hs):
//   - errors come back as { code, message, details, hint }, not thrown; a network failure or timeout
//     comes back with status 0 and the fetch error's name in message;
//   - a wrong key is answered by Supabase's gateway: 401 { message: "Invalid API key", hint } (no code);
//   - PGRST205 (404): table not in the schema cache; PGRST204 (400): a written column the table lacks;
//     42703 (400): Postgres' "column t.c does not exist" for an unknown column in select or a filter;
//     42501: permission denied / row-level security (401 for anon, 403 otherwise). Since 2026-10-30 a new
//     table in public is granted to nobody, so the service-role key meets 42501 until a GRANT exists;
//   - tables in the field may lack a unique constraint on number: an upsert on it (42P10 without one) falls
//     back to a plain insert.
import { tool } from '../invocation.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { ServiceError, UsageError } from '../errors.js';
import { redactLine } from '../redact.js';
import { SUPABASE_TIMEOUT_MS, seconds } from '../timing.js';
import { NUMBER_COLUMNS, NUMBERS_TABLE, renderAddColumns, renderGrants, storedForms } from '../render/sql.js';
import type { Values } from '../settings.js';
import { SettingName, settingName } from '../setting-names.js';

export interface SupabaseConn {
  /** The project URL, e.g. https://<ref>.supabase.co (supabase-js appends /rest/v1). */
  url: string;
  serviceKey: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** The number's row as the agent will read it. */
export interface NumberRow {
  /** Per-number settings from the row, by setting key; PHONE_NUMBER is the E.164 form; NULL columns are absent. */
  values: Values;
  /** The number exactly as the row holds it, e.g. 4244851544. */
  storedNumber: string;
  /** False when the row holds the 10-digit national form (apply rewrites it as E.164). */
  storedAsE164: boolean;
  /** How many rows hold the number in either form (a table without a unique constraint may hold several). */
  matches: number;
  /** The table has an updated_at column (an update bumps it). */
  hasUpdatedAt: boolean;
  /** The `carrier` column, when the table has it and it is set (absent means SignalWire). */
  carrier?: string;
}

/** The table lacks columns the settings need. Nothing was written; `sql` adds them. */
export class MissingColumnsError extends UsageError {
  readonly sql: string;
  constructor(readonly columns: string[]) {
    const sql = renderAddColumns(columns);
    super(
      `${NUMBERS_TABLE} has no column ${columns.join(', ')}, so nothing was written: ` +
        `run in the Supabase SQL editor: ${sql.trim().replace(/\n/g, ' ')}`,
    );
    this.name = 'MissingColumnsError';
    this.sql = sql;
  }
}

/** The service-role key may not use a table, schema or sequence (42501): the GRANT that fixes it. */
export class GrantMissingError extends UsageError {
  constructor(
    readonly table: string,
    readonly sql: string,
  ) {
    super(
      `Supabase denies the service-role key access to ${table} (42501 permission denied): ` +
        `grant it to service_role: run in Supabase → SQL Editor: ${sql.trim().replace(/\n/g, ' ')}`,
    );
    this.name = 'GrantMissingError';
  }
}

/** The GRANT for what a 42501 message names: a table, a sequence or the schema. */
function grantFor(message: string | undefined): { table: string; sql: string } {
  const what = /permission denied for (table|relation|sequence|schema) "?([\w.$]+)"?/.exec(message ?? '');
  if (what?.[1] === 'schema') return { table: `schema ${what[2]}`, sql: `GRANT USAGE ON SCHEMA ${what[2]} TO service_role;\n` };
  if (what?.[1] === 'sequence') return { table: `sequence ${what[2]}`, sql: 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO service_role;\n' };
  const table = what?.[2] ?? NUMBERS_TABLE;
  return { table, sql: renderGrants(table) };
}

export const INTERACTIONS_TABLE = 'interactions';
const SCHEMA_FIX = `run \`${tool()} sql --schema\` in the Supabase SQL editor`;

/** The connection from resolved settings; undefined unless both Supabase settings are given. */
export function supabaseConn(values: Values, timeoutMs?: number): SupabaseConn | undefined {
  const { SUPABASE_URL: url, SUPABASE_SERVICE_ROLE_KEY: serviceKey } = values;
  if (!url || !serviceKey) return undefined;
  return timeoutMs === undefined ? { url, serviceKey } : { url, serviceKey, timeoutMs };
}

/**
 * Why the key cannot be the service-role key, judged from its shape alone (no request): a publishable key,
 * or a legacy JWT whose role is not service_role. Such a key passes the gateway and reads under RLS, but
 * cannot write the number's row, so it is refused before anything is written.
 */
export function keyProblemFor(key: string): string | undefined {
  const needed = 'paste the secret key (sb_secret_…) or the service_role key from Supabase → Project Settings → API Keys';
  const name = SettingName('SUPABASE_SERVICE_ROLE_KEY');
  if (key.startsWith('sb_publishable_')) return `${name} is a publishable key (sb_publishable_…), which cannot write the table: ${needed}`;
  const role = jwtRole(key);
  if (role !== undefined && role !== 'service_role')
    return `${name} is the ${role} key (a JWT with role "${role}"), which cannot write the table: ${needed}`;
  return undefined;
}

function jwtRole(key: string): string | undefined {
  const payload = key.split('.');
  if (payload.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload[1]!, 'base64url').toString('utf8'));
    const role = (claims as { role?: unknown }).role;
    return typeof role === 'string' ? role : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A supabase-js client for these calls. Node 20 has no global WebSocket and createClient throws
 * without a transport even when realtime is never used, so `ws` is always given (it works on 22+ too).
 * Every request is bounded by the timeout through a fetch wrapper.
 */
export async function createSupabaseClient(conn: SupabaseConn): Promise<SupabaseClient> {
  const [{ createClient }, { default: WebSocket }] = await Promise.all([import('@supabase/supabase-js'), import('ws')]);
  const timeoutMs = conn.timeoutMs ?? SUPABASE_TIMEOUT_MS;
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  try {
    return createClient(projectUrl(conn.url), conn.serviceKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
      global: { fetch: timedFetch },
    });
  } catch (err) {
    const empty = (err as Error).message.includes('supabaseKey');
    const why = empty ? `${SettingName('SUPABASE_SERVICE_ROLE_KEY')} is empty` : `${SettingName('SUPABASE_URL')} ${shown(conn.url)} is not a valid http(s) URL`;
    throw new UsageError(why, { settings: [empty ? 'SUPABASE_SERVICE_ROLE_KEY' : 'SUPABASE_URL'] });
  }
}

const clients = new WeakMap<SupabaseConn, Promise<SupabaseClient>>();
export function clientFor(conn: SupabaseConn): Promise<SupabaseClient> {
  let c = clients.get(conn);
  if (!c) clients.set(conn, (c = createSupabaseClient(conn)));
  return c;
}

/** A person may paste the REST endpoint; supabase-js wants the project URL. */
function projectUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/rest\/v1$/, '');
}

/** The URL for messages: no credentials, no query. */
function shown(url: string): string {
  try {
    const u = new URL(projectUrl(url));
    return `${u.origin}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return JSON.stringify(url.slice(0, 80));
  }
}

// ---------------------------------------------------------------------------------------------
// Checking

/** What a checked read found: the table missing or not granted (the wizard hands over the SQL), or the row. */
export interface CheckedRead {
  tableMissing: boolean;
  grantMissing?: GrantMissingError;
  /** The number's row; undefined when there is none or no number was asked for. */
  row?: NumberRow;
}

/**
 * Checks the URL and key with a `limit 0` select on the numbers table. A key of the wrong kind is refused
 * before any request; a wrong key is a UsageError; a missing table or a missing grant is reported (the
 * wizard offers the SQL and asks again), so nothing is created before the database is usable.
 */
export async function checkSupabase(conn: SupabaseConn): Promise<{ tableMissing: boolean; grantMissing?: GrantMissingError }> {
  return readChecked(conn);
}

/**
 * The key check merged into the first read it guards: with a number, the number's row is read (one request
 * proves the URL, the key, the table and its grant, and returns the row); without one, a `limit 0` select.
 */
export async function readChecked(conn: SupabaseConn, e164?: string): Promise<CheckedRead> {
  const problem = keyProblemFor(conn.serviceKey);
  if (problem) throw new UsageError(problem, { settings: ['SUPABASE_SERVICE_ROLE_KEY'] });
  const sb = await clientFor(conn);
  const query = sb.from(NUMBERS_TABLE).select('*');
  const res = await (e164 ? query.in('number', storedForms(e164)) : query.limit(0)).retry(false);
  if (!res.error) return e164 ? { tableMissing: false, row: rowOf(res.data, e164) } : { tableMissing: false };
  if (res.error.code === 'PGRST205') return { tableMissing: true };
  if (res.error.code === '42501') {
    const { table, sql } = grantFor(res.error.message);
    return { tableMissing: false, grantMissing: new GrantMissingError(table, sql) };
  }
  throw failure(conn, res, e164 ? `read the row of ${e164}` : `read ${NUMBERS_TABLE}`);
}

// ---------------------------------------------------------------------------------------------
// The number's row

/** The number's row in either stored form (E.164 or 10 digits), or undefined when there is none. */
export async function readNumberRow(conn: SupabaseConn, e164: string): Promise<NumberRow | undefined> {
  const sb = await clientFor(conn);
  const res = await sb.from(NUMBERS_TABLE).select('*').in('number', storedForms(e164)).retry(false);
  if (res.error) throw failure(conn, res, `read the row of ${e164}`);
  return rowOf(res.data, e164);
}

/** The numbers of the table's active rows, as E.164 (an empty status counts as active, as the agent reads it). */
export async function listActiveNumbers(conn: SupabaseConn): Promise<string[]> {
  const sb = await clientFor(conn);
  // '*', not named columns: an older table may lack status, and naming it would fail the read.
  const res = await sb.from(NUMBERS_TABLE).select('*').limit(100).retry(false);
  if (res.error) throw failure(conn, res, `read ${NUMBERS_TABLE}`);
  const { toE164 } = await import('../validate.js');
  const rows = (res.data ?? []) as Array<Record<string, unknown>>;
  const active = rows.filter((r) => !r.status || r.status === 'active');
  return [...new Set(active.flatMap((r) => toE164(String(r.number ?? '')) ?? []))];
}

export function rowOf(data: unknown[] | null, e164: string): NumberRow | undefined {
  const rows = (data ?? []) as Array<Record<string, unknown>>;
  if (!rows.length) return undefined;
  const row = rows.find((r) => r.number === e164) ?? rows[0]!;
  const values: Values = {};
  for (const [key, column] of NUMBER_COLUMNS) {
    const v = row[column];
    if (v !== null && v !== undefined) values[key] = typeof v === 'string' ? v : String(v);
  }
  values.PHONE_NUMBER = e164;
  const storedNumber = String(row.number);
  const carrier = typeof row.carrier === 'string' && row.carrier ? { carrier: row.carrier } : {};
  return { values, storedNumber, storedAsE164: storedNumber === e164, matches: rows.length, hasUpdatedAt: 'updated_at' in row, ...carrier };
}

// ---------------------------------------------------------------------------------------------
// The test-call check

/** Whether `interactions` has a row for the number created after `since`. */
/** The agent's `interactions` row for a call, as far as the check reads it. */
export interface InteractionSeen {
  turns: number;
  callType?: string;
  costUsd?: number;
  /** The agent's first turn (the greeting), as logged. */
  firstAgentTurn?: string;
}

/** The agent's row for a call: the one with the call's id when it logs one, else the newest for the number since `since`. */
export async function findRecentInteraction(
  conn: SupabaseConn,
  e164: string,
  since: Date,
  callId?: string,
): Promise<{ row?: InteractionSeen; tableMissing: boolean }> {
  const sb = await clientFor(conn);
  // `*`: an older table lacks the newer columns, and naming them would fail the read.
  const res = await sb
    .from(INTERACTIONS_TABLE)
    .select('*')
    .in('phone_number', storedForms(e164))
    .gt('created_at', since.toISOString())
    .limit(20)
    .retry(false);
  if (res.error?.code === 'PGRST205') return { tableMissing: true };
  if (res.error) throw failure(conn, res, `read ${INTERACTIONS_TABLE}`);
  // Rows since the check began are few: newest first, sorted here.
  const rows = ((res.data ?? []) as Array<Record<string, unknown>>).sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  const row = (callId && rows.find((r) => r.call_id === callId)) || rows.find((r) => !r.call_id || !callId);
  return row ? { row: interactionSeen(row), tableMissing: false } : { tableMissing: false };
}

function interactionSeen(r: Record<string, unknown>): InteractionSeen {
  const transcript = Array.isArray(r.transcript) ? (r.transcript as Array<{ role?: string; text?: string }>) : [];
  const seen: InteractionSeen = { turns: transcript.length };
  const first = transcript.find((t) => t.role === 'assistant' || t.role === 'agent');
  if (typeof first?.text === 'string') seen.firstAgentTurn = first.text;
  if (typeof r.call_type === 'string') seen.callType = r.call_type;
  const cost = r.cost_usd === null || r.cost_usd === undefined ? NaN : Number(r.cost_usd);
  if (Number.isFinite(cost)) seen.costUsd = cost;
  return seen;
}

// ---------------------------------------------------------------------------------------------
// Failures: one line naming the service, what failed and the fix; never the key.

/** An unknown column: Postgres' 42703 in a select or filter, PostgREST's PGRST204 in a write. */
export const isUnknownColumn = (code: string | undefined) => code === '42703' || code === 'PGRST204';

export interface Answer {
  error: { code?: string; message?: string; details?: string | null; hint?: string | null } | null;
  status: number;
}

const [URL_KEY, SERVICE_KEY] = ['SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY'] as const;
const onUrl = { settings: [URL_KEY] };

export function failure(conn: SupabaseConn, res: Answer, what: string): UsageError | ServiceError {
  const err = res.error ?? {};
  const where = shown(conn.url);
  const said = redactLine([err.code, err.message].filter(Boolean).join(' '), [conn.serviceKey], 200);
  if (res.status === 0) {
    const timedOut = /TimeoutError|AbortError/.test(err.message ?? '');
    if (timedOut) {
      const s = seconds(conn.timeoutMs ?? SUPABASE_TIMEOUT_MS);
      return new ServiceError('Supabase', `Supabase at ${where} did not answer within ${s}: check ${settingName(URL_KEY)} and the network`, onUrl);
    }
    const cause = /\(([A-Z][A-Z_]+)\)/.exec(err.details ?? '')?.[1] ?? /Caused by: \w+: ([^\n]+)/.exec(err.details ?? '')?.[1];
    return new ServiceError('Supabase', `Cannot reach Supabase at ${where}${cause ? ` (${redactLine(cause, [conn.serviceKey], 200)})` : ''}: check ${settingName(URL_KEY)} and the network`, onUrl);
  }
  if (err.code === '42501') {
    // The key is the service-role key (its shape was checked): the table lacks the grant, or a policy refuses.
    if (/permission denied/.test(err.message ?? '')) {
      const { table, sql } = grantFor(err.message);
      return new GrantMissingError(table, sql);
    }
    return new ServiceError('Supabase', `Supabase refused to ${what} (${said}): check the table's row-level security policies and that ${settingName(SERVICE_KEY)} is the service_role key`);
  }
  if (res.status === 401 || res.status === 403) {
    return new UsageError(`Supabase rejected the service key for ${where}: check ${settingName(SERVICE_KEY)}`, { settings: [SERVICE_KEY] });
  }
  if (err.code === 'PGRST205') {
    return new ServiceError('Supabase', `Supabase at ${where} has no table ${/'public\.([^']+)'/.exec(err.message ?? '')?.[1] ?? NUMBERS_TABLE}: ${SCHEMA_FIX}`);
  }
  if (isUnknownColumn(err.code)) return new ServiceError('Supabase', `Could not ${what} (${said}): ${SCHEMA_FIX}`);
  if (res.status === 404 && !err.code) {
    return new ServiceError('Supabase', `${where} answered 404 for its REST API: check ${settingName(URL_KEY)} is the project URL (https://<ref>.supabase.co)`, onUrl);
  }
  if (res.status >= 500) {
    return new ServiceError('Supabase', `Supabase at ${where} answered ${res.status} (${said || 'no detail'}): try again shortly; check the project is not paused`);
  }
  return new ServiceError('Supabase', `Supabase could not ${what} (${res.status}${said ? ` ${said}` : ''})`);
}
