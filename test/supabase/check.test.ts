// Checking the URL and key, and every way that can fail, through supabase-js → stand-in → real Postgres.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ServiceError, UsageError } from '../../src/errors.ts';
import { renderSchema } from '../../src/render/sql.ts';
import { checkSupabase, createSupabaseClient, keyProblemFor, readNumberRow, supabaseConn } from '../../src/services/supabase.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startPostgrest } from '../stand-ins/postgrest.ts';
import { fakeJwt, NUMBER, oneLineError, rig } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

test('the right key and an existing table: no warning, nothing missing; the check is one limit-0 select', async (t) => {
  const r = await rig(t, pg, renderSchema());
  assert.deepEqual(await checkSupabase(r.conn), { tableMissing: false });
  assert.equal(r.rest.requests.length, 1);
  const [req] = r.rest.requests;
  assert.equal(req!.method, 'GET');
  assert.equal(req!.table, 'signalwire_phone_numbers');
  assert.deepEqual(req!.query, [['select', '*'], ['limit', '0']]);
  assert.equal(req!.role, 'service_role');
});

test('a wrong key is one UsageError line naming the URL and the variable, without the key', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const wrong = 'sb_secret_wrong_key_not_real_0123456789';
  const err = await oneLineError(() => checkSupabase({ ...r.conn, serviceKey: wrong }), UsageError, wrong);
  assert.equal(err.message, `Supabase rejected the service key for ${r.rest.url}: check SUPABASE_SERVICE_ROLE_KEY`);
  assert.equal(r.rest.requests[0]!.status, 401);
  // Every other call says the same.
  await oneLineError(() => readNumberRow({ ...r.conn, serviceKey: wrong }, NUMBER), UsageError, wrong);
});

test('a missing table is reported, not thrown; after the schema SQL the check passes', async (t) => {
  const r = await rig(t, pg);
  assert.deepEqual(await checkSupabase(r.conn), { tableMissing: true });
  assert.equal(r.rest.requests[0]!.status, 404);
  await pg.psql(renderSchema(), r.db);
  assert.deepEqual(await checkSupabase(r.conn), { tableMissing: false });
});

test('an anon JWT or a publishable key is refused by its shape, naming what it is, before any request', async (t) => {
  const anon = await fakeJwt('anon');
  const authed = await fakeJwt('authenticated');
  const service = await fakeJwt('service_role');
  assert.match(keyProblemFor(anon)!, /is the anon key \(a JWT with role "anon"\), which cannot write the table: paste the secret key/);
  assert.match(keyProblemFor(authed)!, /is the authenticated key/);
  assert.match(keyProblemFor('sb_publishable_test_not_real')!, /is a publishable key \(sb_publishable_…\)/);
  assert.equal(keyProblemFor(service), undefined);
  assert.equal(keyProblemFor('sb_secret_test_not_real'), undefined);
  assert.equal(keyProblemFor('not.a.jwt'), undefined);

  // The stand-in would accept the anon key (it reads under RLS); the check never sends it.
  const db = await pg.createDatabase();
  await pg.psql(renderSchema(), db);
  const rest = await startPostgrest({ pg, db, anonKey: anon });
  t.after(() => rest.stop());
  for (const key of [anon, 'sb_publishable_test_not_real']) {
    const err = await oneLineError(() => checkSupabase({ url: rest.url, serviceKey: key, timeoutMs: 3000 }), UsageError, key);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /^SUPABASE_SERVICE_ROLE_KEY is (the anon|a publishable) key/);
  }
  assert.equal(rest.requests.length, 0, 'no request was made with the wrong kind of key');
});

test('unreachable, timed out and 5xx are one ServiceError line each, naming Supabase and the fix', async (t) => {
  // A port nobody listens on.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const key = 'sb_secret_test_not_real';
  const down = await oneLineError(() => checkSupabase({ url: `http://127.0.0.1:${port}`, serviceKey: key }), ServiceError, key);
  assert.equal(down.service, 'Supabase');
  assert.match(down.message, /^Cannot reach Supabase at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): check SUPABASE_URL/);

  const r = await rig(t, pg, renderSchema(), { timeoutMs: 300 });
  r.rest.fault({ delayMs: 2000, times: 1 });
  const started = Date.now();
  const slow = await oneLineError(() => checkSupabase(r.conn), ServiceError, key);
  assert.match(slow.message, /did not answer within 0\.3 s: check SUPABASE_URL/);
  assert.ok(Date.now() - started < 1500, 'the timeout bounds the wait (no retries)');

  r.rest.fault({ status: 503, body: { message: 'upstream busy' }, times: 1 });
  const busy = await oneLineError(() => checkSupabase(r.conn), ServiceError, key);
  assert.match(busy.message, /answered 503 \(upstream busy\): try again shortly/);
  assert.equal(r.rest.requests.filter((q) => q.status === 503).length, 1, 'a 503 is not retried');

  r.rest.fault({ drop: true, times: 1 });
  await oneLineError(() => checkSupabase(r.conn), ServiceError, key);
  assert.deepEqual(await checkSupabase(r.conn), { tableMissing: false }, 'and it works again once the fault is gone');
});

test('a URL that is not a project URL, and one pasted with /rest/v1', async (t) => {
  const r = await rig(t, pg, renderSchema());
  assert.deepEqual(await checkSupabase({ ...r.conn, url: `${r.rest.url}/rest/v1/` }), { tableMissing: false });
  const wrongPath = await oneLineError(() => checkSupabase({ ...r.conn, url: `${r.rest.url}/elsewhere` }), ServiceError, r.conn.serviceKey);
  assert.match(wrongPath.message, /answered 404 for its REST API: check SUPABASE_URL is the project URL/);
  await oneLineError(() => checkSupabase({ ...r.conn, url: 'ftp://example.com' }), UsageError, r.conn.serviceKey);
});

test('supabaseConn takes both settings or gives nothing', () => {
  assert.equal(supabaseConn({ SUPABASE_URL: 'https://x.supabase.co' }), undefined);
  assert.deepEqual(supabaseConn({ SUPABASE_URL: 'https://x.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_test_not_real' }, 500), {
    url: 'https://x.supabase.co',
    serviceKey: 'sb_secret_test_not_real',
    timeoutMs: 500,
  });
});

test(`createClient works on this Node (${process.version}) with the ws transport; Node 20 without it throws`, async () => {
  const conn = { url: 'http://127.0.0.1:9', serviceKey: 'sb_secret_test_not_real' };
  const client = await createSupabaseClient(conn);
  assert.equal(typeof client.from, 'function');
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    const { createClient } = await import('@supabase/supabase-js');
    assert.throws(() => createClient(conn.url, conn.serviceKey, { auth: { persistSession: false } }), /WebSocket/);
  }
});
