// The only code that talks to Supabase: PostgREST requests through supabase-js, loaded lazily so the CLI
// starts fast. What it relies on (FACTS.md; PostgREST's src/PostgREST/Error.hs):
//   - errors come back as { code, message, details, hint }, not thrown; a network failure or timeout
//     comes back with status 0 and the fetch error's name in message;
//   - a wrong key is answered by Supabase's gateway: 401 { message: "Invalid API key", hint } (no code);
//   - PGRST205 (404): table not in the schema cache; PGRST204 (400): a written column the table lacks;
//     42703 (400): Postgres' "column t.c does not exist" for an unknown column in select or a filter;
//     42501: permission denied / row-level security (401 for anon, 403 otherwise). Since 2026-10-30 a new
//     table in public is granted to nobody, so the service-role key meets 42501 until a GRANT exists;
//   - tables in the field may lack a unique constraint on number, so nothing here uses upsert.
import { tool } from '../invocation.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { ServiceError, UsageError } from '../errors.js';
import type { Change } from '../changes.js';
import { mask } from '../mask.js';
import { redactLine } from '../redact.js';
import { SUPABASE_TIMEOUT_MS, seconds } from '../timing.js';
import { NUMBER_COLUMNS, NUMBERS_TABLE, numberRow, renderAddColumns, renderGrants, storedForms } from '../render/sql.js';
import { setting, type SettingKey, type Values } from '../settings.js';

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

/** The database change; after apply() it carries the row as read back, for display. */
export interface NumberRowChange extends Change {
  written?: NumberRow;
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
  if (key.startsWith('sb_publishable_')) return `SUPABASE_SERVICE_ROLE_KEY is a publishable key (sb_publishable_…), which cannot write the table: ${needed}`;
  const role = jwtRole(key);
  if (role !== undefined && role !== 'service_role')
    return `SUPABASE_SERVICE_ROLE_KEY is the ${role} key (a JWT with role "${role}"), which cannot write the table: ${needed}`;
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
    const why = (err as Error).message.includes('supabaseKey') ? 'SUPABASE_SERVICE_ROLE_KEY is empty' : `SUPABASE_URL ${shown(conn.url)} is not a valid http(s) URL`;
    throw new UsageError(why);
  }
}

const clients = new WeakMap<SupabaseConn, Promise<SupabaseClient>>();
function clientFor(conn: SupabaseConn): Promise<SupabaseClient> {
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
  if (problem) throw new UsageError(problem);
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

function rowOf(data: unknown[] | null, e164: string): NumberRow | undefined {
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

/**
 * The change that makes the number's row hold `given`, or none when it already does. `defaults` fill a new
 * row, and a column the row leaves empty, but never replace a value the row holds. apply() updates only the
 * changed columns (and updated_at, where the table has it) of the row(s) holding the number in either form,
 * rewriting the number as E.164, or inserts a row, without a unique constraint; it checks first that every
 * column exists, so a missing one writes nothing; then reads the row back.
 */
export function planNumberRow(conn: SupabaseConn, given: Values, current: NumberRow | undefined, defaults: Values = {}): NumberRowChange[] {
  const e164 = given.PHONE_NUMBER;
  if (!e164) throw new Error('planNumberRow needs PHONE_NUMBER');
  const full = numberRow({ ...defaults, ...given });
  const keyOf = new Map<string, SettingKey>(NUMBER_COLUMNS.map(([key, column]) => [column, key]));
  const have = (row: NumberRow, column: string) => (column === 'number' ? row.storedNumber : row.values[keyOf.get(column)!]);
  const differs = ([column, value]: [string, string], row: NumberRow) => have(row, column) !== value;

  // On an existing row: what was given and differs, and defaults only where the row holds nothing.
  const changed = current
    ? full.filter(([column, value]) => {
        const key = keyOf.get(column)!;
        if (given[key] === undefined && have(current, column) !== undefined) return false;
        return differs([column, value], current);
      })
    : full;
  if (current && !changed.length) return [];
  const shown = (row: NumberRow | undefined) =>
    changed
      .filter(([c]) => row || c !== 'number')
      .map(([c, v]) => `${c} ${row ? `${shownValue(keyOf.get(c)!, have(row, c))} → ` : ''}${shownValue(keyOf.get(c)!, v)}`)
      .join('; ');
  const summary = current
    ? `database: update ${changed.map(([c]) => c).join(', ')} for ${e164}: ${shown(current)}`
    : `database: add ${e164}: ${shown(undefined)}`;

  const change: NumberRowChange = {
    target: 'database',
    summary,
    async apply() {
      const sb = await clientFor(conn);
      const missing = await missingColumns(conn, sb, full.map(([c]) => c));
      if (missing.length) throw new MissingColumnsError(missing);

      // The number is always set, so every matching row ends in E.164.
      const update: Record<string, string> = { ...Object.fromEntries(current ? changed : full), number: e164 };
      if (current?.hasUpdatedAt) update.updated_at = new Date().toISOString();
      const updated = await sb.from(NUMBERS_TABLE).update(update).in('number', storedForms(e164)).select('number').retry(false);
      if (updated.error) throw writeFailure(conn, updated, `update the row of ${e164}`);
      if (!(updated.data ?? []).length) {
        const inserted = await sb.from(NUMBERS_TABLE).insert(Object.fromEntries(full)).select('number').retry(false);
        if (inserted.error) throw writeFailure(conn, inserted, `insert the row of ${e164}`);
      }

      const back = await readNumberRow(conn, e164);
      const wrong = back ? changed.filter((c) => differs(c, back)).map(([c]) => c) : [];
      if (!back || wrong.length) {
        throw new ServiceError(
          'Supabase',
          `The row of ${e164} read back from ${NUMBERS_TABLE} does not hold what was written` +
            `${back ? ` (${wrong.join(', ')})` : ' (no row)'}: check the table's triggers and row-level security policies`,
        );
      }
      change.written = back;
    },
  };
  return [change];
}

/**
 * Records the number's carrier in the row's `carrier` column (templates/schema.sql adds it), for a carrier other
 * than SignalWire; runs after the row change, which inserts a new row. Nothing when the row already says so.
 */
export function planRowCarrier(conn: SupabaseConn, e164: string, carrier: string, current: NumberRow | undefined): Change[] {
  if (current?.carrier === carrier) return [];
  return [
    {
      target: 'database',
      summary: `database: carrier of ${e164} ${current?.carrier ?? 'none'} → ${carrier}`,
      async apply() {
        const sb = await clientFor(conn);
        const missing = await missingColumns(conn, sb, ['carrier']);
        if (missing.length) throw new MissingColumnsError(missing);
        const res = await sb.from(NUMBERS_TABLE).update({ carrier }).in('number', storedForms(e164)).select('number').retry(false);
        if (res.error) throw writeFailure(conn, res, `record the carrier of ${e164}`);
      },
    },
  ];
}

/**
 * A value for the plan: quoted, masked when secret, control and direction characters escaped (so a value
 * cannot move the cursor or recolour the terminal), long ones shortened.
 */
export function shownValue(key: SettingKey, value: string | undefined): string {
  if (value === undefined || value === '') return '(empty)';
  if (setting(key).secret) return mask(value);
  const short = [...value].length > 60 ? `${[...value].slice(0, 59).join('')}…` : value;
  return JSON.stringify(short).replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Columns the table lacks, found with `limit 0` selects (an unknown column in a select is 42703). */
async function missingColumns(conn: SupabaseConn, sb: SupabaseClient, columns: string[]): Promise<string[]> {
  const all = await sb.from(NUMBERS_TABLE).select(columns.join(',')).limit(0).retry(false);
  if (!all.error) return [];
  if (!isUnknownColumn(all.error.code)) throw failure(conn, all, `read ${NUMBERS_TABLE}`);
  // Postgres names only the first unknown column; ask per column so one ALTER round fixes them all.
  const each = await Promise.all(columns.map((c) => sb.from(NUMBERS_TABLE).select(c).limit(0).retry(false)));
  const missing: string[] = [];
  for (const [i, res] of each.entries()) {
    if (!res.error) continue;
    if (!isUnknownColumn(res.error.code)) throw failure(conn, res, `read ${NUMBERS_TABLE}`);
    missing.push(columns[i]!);
  }
  if (!missing.length) throw failure(conn, all, `read ${NUMBERS_TABLE}`);
  return missing;
}

const isUnknownColumn = (code: string | undefined) => code === '42703' || code === 'PGRST204';

/** A write refused for a column the table lacks (a schema change between check and write) is still that. */
function writeFailure(conn: SupabaseConn, res: Answer, what: string): Error {
  if (res.error?.code === 'PGRST204') {
    const column = /Could not find the '([^']+)' column/.exec(res.error.message ?? '')?.[1];
    if (column) return new MissingColumnsError([column]);
  }
  return failure(conn, res, what);
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

interface Answer {
  error: { code?: string; message?: string; details?: string | null; hint?: string | null } | null;
  status: number;
}

function failure(conn: SupabaseConn, res: Answer, what: string): UsageError | ServiceError {
  const err = res.error ?? {};
  const where = shown(conn.url);
  const said = redactLine([err.code, err.message].filter(Boolean).join(' '), [conn.serviceKey], 200);
  if (res.status === 0) {
    const timedOut = /TimeoutError|AbortError/.test(err.message ?? '');
    if (timedOut) {
      const s = seconds(conn.timeoutMs ?? SUPABASE_TIMEOUT_MS);
      return new ServiceError('Supabase', `Supabase at ${where} did not answer within ${s}: check SUPABASE_URL and the network`);
    }
    const cause = /\(([A-Z][A-Z_]+)\)/.exec(err.details ?? '')?.[1] ?? /Caused by: \w+: ([^\n]+)/.exec(err.details ?? '')?.[1];
    return new ServiceError('Supabase', `Cannot reach Supabase at ${where}${cause ? ` (${redactLine(cause, [conn.serviceKey], 200)})` : ''}: check SUPABASE_URL and the network`);
  }
  if (err.code === '42501') {
    // The key is the service-role key (its shape was checked): the table lacks the grant, or a policy refuses.
    if (/permission denied/.test(err.message ?? '')) {
      const { table, sql } = grantFor(err.message);
      return new GrantMissingError(table, sql);
    }
    return new ServiceError('Supabase', `Supabase refused to ${what} (${said}): check the table's row-level security policies and that SUPABASE_SERVICE_ROLE_KEY is the service_role key`);
  }
  if (res.status === 401 || res.status === 403) {
    return new UsageError(`Supabase rejected the service key for ${where}: check SUPABASE_SERVICE_ROLE_KEY`);
  }
  if (err.code === 'PGRST205') {
    return new ServiceError('Supabase', `Supabase at ${where} has no table ${/'public\.([^']+)'/.exec(err.message ?? '')?.[1] ?? NUMBERS_TABLE}: ${SCHEMA_FIX}`);
  }
  if (isUnknownColumn(err.code)) return new ServiceError('Supabase', `Could not ${what} (${said}): ${SCHEMA_FIX}`);
  if (res.status === 404 && !err.code) {
    return new ServiceError('Supabase', `${where} answered 404 for its REST API: check SUPABASE_URL is the project URL (https://<ref>.supabase.co)`);
  }
  if (res.status >= 500) {
    return new ServiceError('Supabase', `Supabase at ${where} answered ${res.status} (${said || 'no detail'}): try again shortly; check the project is not paused`);
  }
  return new ServiceError('Supabase', `Supabase could not ${what} (${res.status}${said ? ` ${said}` : ''})`);
}

// ---------------------------------------------------------------------------------------------
// Added for `remove`

/**
 * The change that marks the number's row inactive (never deleted: the agent's history and settings stay),
 * or none when there is no row or it is already inactive. Bumps updated_at where the table has it.
 */
export function planDeactivateNumberRow(conn: SupabaseConn, e164: string, current: NumberRow | undefined): Change[] {
  if (!current || current.values.PHONE_STATUS === 'inactive') return [];
  return [
    {
      target: 'database',
      summary: `database: ${e164} status ${current.values.PHONE_STATUS ?? '(none)'} → inactive (the row stays)`,
      async apply() {
        const sb = await clientFor(conn);
        const where = storedForms(e164);
        let res = await sb.from(NUMBERS_TABLE).update({ status: 'inactive', updated_at: new Date().toISOString() }).in('number', where).select('number').retry(false);
        if (res.error && isUnknownColumn(res.error.code))
          res = await sb.from(NUMBERS_TABLE).update({ status: 'inactive' }).in('number', where).select('number').retry(false);
        if (res.error) throw writeFailure(conn, res, `set ${e164} inactive`);
      },
    },
  ];
}
