// The PostgREST subset supabase-js sends for the calls this project makes, behind Supabase's API-key
// gateway, over a real Postgres. As PostgREST does, it connects as `authenticator` and runs each request
// in a transaction as the key's role (SET LOCAL ROLE service_role / anon), so the table's grants and
// row-level security decide, as on Supabase. Requests become parameterised SQL; identifiers are checked
// against the real catalog first (pg_catalog, which lists a table whatever its grants, like PostgREST's
// schema cache), and errors come back in PostgREST's shape and codes:
//   gateway 401 {message, hint} for a wrong or missing key (no code: it is the gateway, not PostgREST)
//   PGRST205 404 unknown table · PGRST204 400 unknown column in a write · 42703 400 unknown column in a
//   select or filter (Postgres' own error, as PostgREST forwards it) · 23505 409 · 42501 403 (401 for
//   anon) · other Postgres codes mapped as PostgREST's mapSQLtoHTTP maps them.
// Supported: GET/HEAD with select=, filters (eq neq gt gte lt lte like ilike in is, not.), limit, offset;
// POST insert (object or array, columns=, return=representation|minimal) and upsert
// (on_conflict=, resolution=merge-duplicates|ignore-duplicates); PATCH with filters (an unfiltered one is
// refused, as Supabase's pg-safeupdate does). The HTTP side, request log and faults are loopback.ts's.
import type { IncomingMessage } from 'node:http';
import pg from 'pg';
import { Answer, startLoopback, type Exchange, type Fault, type LoggedRequest as KernelRequest } from './loopback.ts';
import type { Postgres } from './postgres.ts';

export interface PostgrestOptions {
  pg: Postgres;
  db: string;
  serviceKey?: string;
  anonKey?: string;
}

export interface LoggedRequest extends KernelRequest {
  /** The table (path after /rest/v1/), or the raw path for anything else. */
  table: string;
  /** Prefer tokens, e.g. ['return=representation']. */
  prefer: string[];
  role: 'service_role' | 'anon' | null;
}

export type { Fault };

export interface PostgrestStandIn {
  /** The "Supabase URL": supabase-js appends /rest/v1. */
  url: string;
  serviceKey: string;
  anonKey: string;
  requests: LoggedRequest[];
  /** A fault for matching requests (`match` "/rest/v1/<table>", or none for all). */
  fault(f: Fault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

interface PgError extends Error {
  code?: string;
  detail?: string;
  hint?: string;
}

/** PostgREST's error body; its code also goes in Proxy-Status, as PostgREST sends it. */
const pgrst = (status: number, code: string, message: string, details: string | null = null, hint: string | null = null) =>
  new Answer(status, { code, details, hint, message }, { 'proxy-status': `PostgREST; error=${code}` });

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function startPostgrest(opts: PostgrestOptions): Promise<PostgrestStandIn> {
  const serviceKey = opts.serviceKey ?? 'sb_secret_test_not_real';
  const anonKey = opts.anonKey ?? 'sb_publishable_test_not_real';

  // PostgREST's own connection: the authenticator login, which holds no table privileges itself.
  const pool = new pg.Pool({ connectionString: opts.pg.url(opts.db, 'authenticator'), max: 4 });
  const catalog = async (text: string, params: unknown[] = []) => (await pool.query(text, params)).rows;
  type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

  /** Runs `fn` in one transaction as `role`, as PostgREST runs every request. */
  async function asRole<T>(role: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${ident(role)}`);
      const out = await fn(async (text, params = []) => (await client.query(text, params)).rows);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** The table's columns from the catalog (whatever its grants); PGRST205 when it does not exist. */
  async function columnsOf(table: string): Promise<string[]> {
    const rows = await catalog(
      `SELECT a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = 'public' AND c.relname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY a.attnum`,
      [table],
    );
    if (!rows.length) throw pgrst(404, 'PGRST205', `Could not find the table 'public.${table}' in the schema cache`);
    return rows.map((r) => r.attname as string);
  }

  async function handle({ req, url, raw, entry: log, send }: Exchange<LoggedRequest>): Promise<void> {

    // The gateway: apikey must be a known key; a Bearer token, when given, too.
    const apikey = header(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined;
    if (!apikey) throw new Answer(401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
    const roleOf = (k: string) => (k === serviceKey ? 'service_role' : k === anonKey ? 'anon' : null);
    const bearer = /^Bearer (.+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    const role = roleOf(bearer ?? apikey);
    log.role = role;
    if (!roleOf(apikey) || !role) {
      throw new Answer(401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
    }

    const m = /^\/rest\/v1\/([^/]+)$/.exec(url.pathname);
    if (!m) throw new Answer(404, { message: 'no Route matched with those values' });
    const table = decodeURIComponent(m[1]!);
    log.table = table;
    const profile = header(req, req.method === 'GET' || req.method === 'HEAD' ? 'accept-profile' : 'content-profile');
    if (profile && profile !== 'public') {
      throw pgrst(406, 'PGRST106', `Invalid schema: ${profile}`, null, 'Only the following schemas are exposed: public');
    }

    const columns = await columnsOf(table);
    const q = parseQuery(url.searchParams, table, columns);
    const prefer = new Set(log.prefer);

    if (req.method === 'GET' || req.method === 'HEAD') {
      const params: unknown[] = [];
      const where = q.filters.map((f) => f(params)).join(' AND ');
      const text =
        `SELECT coalesce(json_agg(_s), '[]')::text AS body, count(*)::int AS n FROM (SELECT ${q.select} FROM public.${ident(table)} _t` +
        `${where ? ` WHERE ${where}` : ''}${q.limit !== undefined ? ` LIMIT ${q.limit}` : ''}${q.offset ? ` OFFSET ${q.offset}` : ''}) _s`;
      const [row] = await asRole(role, (sql) => sql(text, params));
      const n = row!.n as number;
      const from = q.offset ?? 0;
      // The rows go out as Postgres wrote them (already JSON text).
      send(200, req.method === 'HEAD' ? undefined : (row!.body as string), { ...JSON_TYPE, 'content-range': n ? `${from}-${from + n - 1}/*` : '*/*' });
      return;
    }

    const body = json(raw);

    if (req.method === 'POST') {
      const rows = Array.isArray(body) ? body : [body];
      if (!rows.every((r) => r && typeof r === 'object' && !Array.isArray(r))) {
        throw pgrst(400, 'PGRST102', 'All object keys must match');
      }
      if (!rows.length) return send(201, prefer.has('return=representation') ? '[]' : undefined, JSON_TYPE);
      const given = url.searchParams.get('columns');
      const keys = given ? parseList(given) : [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
      for (const k of keys) if (!columns.includes(k)) throw columnNotFound(k, table);
      if (prefer.has('missing=default')) throw pgrst(400, 'PGRST122', 'Invalid preferences given with handling=strict', 'the stand-in does not take missing=default');
      const params: unknown[] = [JSON.stringify(rows)];
      // As PostgREST does: the body becomes typed rows of the table; a key absent from a row is NULL.
      let text = keys.length
        ? `INSERT INTO public.${ident(table)} (${keys.map(ident).join(', ')}) SELECT ${keys.map((k) => `_r.${ident(k)}`).join(', ')} ` +
          `FROM jsonb_array_elements($1::jsonb) _j, LATERAL jsonb_populate_record(NULL::public.${ident(table)}, _j) _r`
        : `INSERT INTO public.${ident(table)} DEFAULT VALUES`;
      const onConflict = url.searchParams.get('on_conflict');
      const resolution = [...prefer].find((p) => p.startsWith('resolution='));
      if (resolution) {
        const target = onConflict ? parseList(onConflict) : await primaryKey(table);
        for (const k of target) if (!columns.includes(k)) throw columnNotFound(k, table);
        const update = keys.filter((k) => !target.includes(k));
        text +=
          resolution === 'resolution=ignore-duplicates' || !update.length
            ? ` ON CONFLICT (${target.map(ident).join(', ')}) DO NOTHING`
            : ` ON CONFLICT (${target.map(ident).join(', ')}) DO UPDATE SET ${update.map((k) => `${ident(k)} = EXCLUDED.${ident(k)}`).join(', ')}`;
      }
      await writeAs(role, send, `${text} RETURNING *`, params, q.select, prefer, 201);
      return;
    }

    if (req.method === 'PATCH') {
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw pgrst(400, 'PGRST102', 'Empty or invalid json');
      const keys = Object.keys(body);
      for (const k of keys) if (!columns.includes(k)) throw columnNotFound(k, table);
      if (!q.filters.length) throw pgrst(400, '21000', 'UPDATE requires a WHERE clause');
      if (!keys.length) return send(prefer.has('return=representation') ? 200 : 204, prefer.has('return=representation') ? '[]' : undefined, JSON_TYPE);
      const params: unknown[] = [JSON.stringify(body)];
      const where = q.filters.map((f) => f(params)).join(' AND ');
      const text =
        `UPDATE public.${ident(table)} _t SET ${keys.map((k) => `${ident(k)} = _r.${ident(k)}`).join(', ')} ` +
        `FROM jsonb_populate_record(NULL::public.${ident(table)}, $1::jsonb) _r WHERE ${where} RETURNING _t.*`;
      await writeAs(role, send, text, params, q.select, prefer, 200);
      return;
    }

    throw pgrst(405, 'PGRST117', `Unsupported HTTP method: ${req.method}`);
  }

  /** Runs a write (ending in RETURNING) as `role`, answering the rows' select= columns under return=representation. */
  async function writeAs(role: string, send: Exchange<LoggedRequest>['send'], text: string, params: unknown[], select: string, prefer: Set<string>, okStatus: number) {
    const [row] = await asRole(role, (sql) =>
      sql(`WITH _w AS (${text}) SELECT coalesce(json_agg(_s), '[]')::text AS body FROM (SELECT ${select} FROM _w) _s`, params),
    );
    const represent = prefer.has('return=representation');
    send(represent || okStatus === 201 ? okStatus : 204, represent ? (row!.body as string) : undefined, JSON_TYPE);
  }

  async function primaryKey(table: string): Promise<string[]> {
    const rows = await catalog(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = ('public.' || quote_ident($1))::regclass AND i.indisprimary`,
      [table],
    );
    return rows.map((r) => r.attname as string);
  }

  const http = await startLoopback<LoggedRequest>({
    jsonType: JSON_TYPE['content-type'],
    entry: (req, url) => ({
      table: url.pathname,
      prefer: [req.headers.prefer ?? ''].flat().join(',').split(',').map((s) => s.trim()).filter(Boolean),
      role: null,
    }),
    handle,
    faultAnswer: (status) => new Answer(status, { message: 'An invalid response was received from the upstream server' }),
    failure: (err, log) => fromPg(err as PgError, log.role === 'anon'),
  });

  return {
    url: http.url,
    serviceKey,
    anonKey,
    requests: http.requests,
    fault: http.fault,
    clearFaults: http.clearFaults,
    async stop() {
      await http.stop();
      await pool.end();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

// PostgREST's JSON type; its answers that are already JSON text go out under it too.
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

function json(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw pgrst(400, 'PGRST102', 'Empty or invalid json');
  }
}

function columnNotFound(column: string, table: string): Answer {
  return pgrst(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`);
}

function undefinedColumn(column: string, table: string): Answer {
  return pgrst(400, '42703', `column ${table}.${column} does not exist`);
}

/** A Postgres error as PostgREST forwards it: the same fields, the status from its code (42501: 401 unauthenticated, 403 otherwise). */
function fromPg(err: PgError, anon: boolean): Answer {
  const code = err.code ?? '';
  if (!/^[0-9A-Z]{5}$/.test(code)) return pgrst(500, 'PGRSTX00', String(err.message ?? err));
  const status =
    code === '23505' || code === '23503' ? 409
    : code === '42501' ? (anon ? 401 : 403)
    : code === '42P01' || code === '42883' ? 404
    : code.startsWith('08') || code.startsWith('53') ? 503
    : /^(09|25|2D|38|39|3B|40|54|55|57|58|F0|HV|XX|P0)/.test(code) && code !== 'P0001' ? 500
    : 400;
  return pgrst(status, code, err.message, err.detail ?? null, err.hint ?? null);
}

/** Adds a parameter and returns its placeholder. */
function lit(value: unknown, params: unknown[]): string {
  params.push(value);
  return `$${params.length}`;
}

/** A comma list of names, each bare or "double-quoted" (as supabase-js sends columns=). */
function parseList(text: string): string[] {
  return splitTop(text).map((s) => unquote(s.trim()));
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') && s.length >= 2 ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s;
}

/** Splits on commas outside double quotes. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted && i + 1 < text.length) {
      cur += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const RESERVED = new Set(['select', 'limit', 'offset', 'columns', 'on_conflict', 'apikey']);
const COMPARE: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'LIKE', ilike: 'ILIKE' };

interface Query {
  /** The select list: * or quoted column names. */
  select: string;
  /** Each adds its parameters and returns a condition on the table aliased _t. */
  filters: Array<(params: unknown[]) => string>;
  limit?: number;
  offset?: number;
}

function parseQuery(sp: URLSearchParams, table: string, columns: string[]): Query {
  const known = (c: string) => {
    if (!columns.includes(c)) throw undefinedColumn(c, table);
    return ident(c);
  };
  const selectText = sp.get('select') ?? '*';
  const select =
    selectText === '*' || selectText === ''
      ? '*'
      : parseList(selectText)
          .map((c) => {
            if (c === '*') return '*';
            if (/[():!]|->|\.\.\./.test(c)) throw pgrst(400, 'PGRST100', `"failed to parse select parameter (${selectText})" (the stand-in takes plain column names)`);
            return known(c);
          })
          .join(', ');

  const int = (name: string) => {
    const v = sp.get(name);
    if (v === null) return undefined;
    if (!/^\d+$/.test(v)) throw pgrst(400, 'PGRST100', `"failed to parse ${name} parameter (${v})" (line 1, column 1)`);
    return Number(v);
  };

  const filters: Query['filters'] = [];
  for (const [column, raw] of sp) {
    if (RESERVED.has(column)) continue;
    if (column === 'order' || column === 'or' || column === 'and') {
      throw pgrst(400, 'PGRST100', `"failed to parse ${column} (${raw})" (the stand-in does not take ${column}=)`);
    }
    const col = `_t.${known(column)}`;
    filters.push(parseFilter(col, raw));
  }
  return { select, filters, limit: int('limit'), offset: int('offset') };
}

function parseFilter(col: string, raw: string): (params: unknown[]) => string {
  const negate = raw.startsWith('not.');
  const rest = negate ? raw.slice(4) : raw;
  const dot = rest.indexOf('.');
  const op = dot < 0 ? rest : rest.slice(0, dot);
  const value = dot < 0 ? '' : rest.slice(dot + 1);
  const bad = () => pgrst(400, 'PGRST100', `"failed to parse filter (${raw})" (line 1, column 1)`);
  let build: (params: unknown[]) => string;
  if (op in COMPARE) {
    if (dot < 0) throw bad();
    const v = op === 'like' || op === 'ilike' ? value.replace(/\*/g, '%') : value;
    build = (p) => `${col} ${COMPARE[op]} ${lit(v, p)}`;
  } else if (op === 'in') {
    if (!value.startsWith('(') || !value.endsWith(')')) throw bad();
    const inner = value.slice(1, -1);
    const list = inner === '' ? [] : splitTop(inner).map((s) => unquote(s));
    build = (p) => `${col} = ANY(${lit(list, p)})`;
  } else if (op === 'is') {
    const v = value.toLowerCase();
    if (!['null', 'true', 'false', 'unknown'].includes(v)) throw bad();
    build = () => `${col} IS ${v.toUpperCase()}`;
  } else throw bad();
  return negate ? (p) => `NOT (${build(p)})` : build;
}
