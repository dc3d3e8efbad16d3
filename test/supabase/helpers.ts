// Shared by the Supabase tests: a fresh database behind a PostgREST stand-in, tables as they are found
// in the field, and the check that an error is one line without the key in it.
import type { TestContext } from 'node:test';
import type { SupabaseConn } from '../../src/services/supabase.ts';
import type { Postgres } from '../stand-ins/postgres.ts';
import { startPostgrest, type PostgrestStandIn } from '../stand-ins/postgrest.ts';
export { NUMBER } from '../fixtures.ts';



export const HOSTILE = [
  "O'Brien'); DROP TABLE x; --",
  'back\\slash \\n \\\\ and \\',
  'unicode: 日本語 — 🎧 Ünïcödé',
  'new\nline\r\nand\ttab',
  "$$ dollar $$ and E'' and \"quoted\", (parens)",
];

export interface Rig {
  db: string;
  rest: PostgrestStandIn;
  conn: SupabaseConn;
  /** Rows of the numbers table, ordered by number. */
  rows(columns?: string): Promise<Array<Record<string, unknown>>>;
  /** Requests that could change data (anything but GET/HEAD). */
  writes(): PostgrestStandIn['requests'];
}

/** A fresh database with `schema` run through psql, and a stand-in over it (stopped when the test ends). */
export async function rig(t: TestContext, pg: Postgres, schema = '', over: Partial<SupabaseConn> = {}): Promise<Rig> {
  const db = await pg.createDatabase();
  if (schema) await pg.psql(schema, db);
  const rest = await startPostgrest({ pg, db });
  t.after(() => rest.stop());
  return {
    db,
    rest,
    conn: { url: rest.url, serviceKey: rest.serviceKey, timeoutMs: 3000, ...over },
    rows: (columns = '*') => pg.query(`SELECT ${columns} FROM signalwire_phone_numbers ORDER BY number`, [], db),
    writes: () => rest.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
  };
}

/** A legacy Supabase-style JWT with the given role, signed with an obviously fake secret. */
export async function fakeJwt(role: string): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'supabase', ref: 'notarealproject', role, iat: 1, exp: 9999999999 })}`;
  return `${head}.${createHmac('sha256', 'not-a-real-secret-for-tests').update(head).digest('base64url')}`;
}

export { oneLineError } from '../helpers/errors.ts';
