// The PostgREST stand-in answers supabase-js the way PostgREST and Supabase's gateway do: shapes, codes
// and statuses checked here through the real client, over the real Postgres.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSchema } from '../../src/render/sql.ts';
import { createSupabaseClient } from '../../src/services/supabase.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { HOSTILE, NUMBER, rig } from './helpers.ts';
import { OLD_TABLE, oldTable, TABLE, UNRELATED_NUMBER } from '../fixtures.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const T = TABLE;

test('the gateway: a wrong key is 401 with Supabase\'s body; no key at all is 401 too', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const sb = await createSupabaseClient({ ...r.conn, serviceKey: 'sb_secret_wrong_not_real' });
  const res = await sb.from(T).select('*').limit(0);
  assert.equal(res.status, 401);
  assert.deepEqual(res.error, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });

  const bare = await fetch(`${r.rest.url}/rest/v1/${T}?select=*`);
  assert.equal(bare.status, 401);
  assert.equal(((await bare.json()) as { message: string }).message, 'No API key found in request');
});

test('select with eq, in (quoted values too) and limit; values are parameters, never SQL', async (t) => {
  const r = await rig(t, pg, OLD_TABLE);
  const sb = await createSupabaseClient(r.conn);
  const ins = await sb.from(T).insert([{ number: NUMBER, name: HOSTILE[0] }, { number: '4244851544', name: HOSTILE[4] }, { number: UNRELATED_NUMBER }]).select('number,name');
  assert.equal(ins.status, 201);
  assert.deepEqual(ins.data, [
    { number: NUMBER, name: HOSTILE[0] },
    { number: '4244851544', name: HOSTILE[4] },
    { number: UNRELATED_NUMBER, name: null },
  ]);

  const eq = await sb.from(T).select('number').eq('name', HOSTILE[0]!);
  assert.deepEqual(eq.data, [{ number: NUMBER }]);
  const quoted = await sb.from(T).select('number').in('name', [HOSTILE[4]!, 'nobody']);
  assert.deepEqual(quoted.data, [{ number: '4244851544' }], 'in() quotes a value with commas and parens');
  const two = await sb.from(T).select('number').in('number', [NUMBER, '4244851544']).limit(1);
  assert.equal(two.data?.length, 1);
  const none = await sb.from(T).select('*').limit(0);
  assert.deepEqual(none.data, []);
  assert.equal((await pg.query(`SELECT count(*)::int AS n FROM ${T}`, [], r.db))[0]!.n, 3);
});

test('PATCH with a filter updates the matching rows; one without a filter is refused', async (t) => {
  const r = await rig(t, pg, OLD_TABLE + `INSERT INTO ${T} (number, name) VALUES ('a', 'x'), ('b', 'x'), ('c', 'y');`);
  const sb = await createSupabaseClient(r.conn);
  const res = await sb.from(T).update({ name: 'z' }).in('number', ['a', 'b']).select('number,name');
  assert.equal(res.status, 200);
  assert.deepEqual(res.data, [{ number: 'a', name: 'z' }, { number: 'b', name: 'z' }]);
  const minimal = await sb.from(T).update({ name: 'w' }).eq('number', 'c');
  assert.equal(minimal.status, 204);
  assert.deepEqual(await pg.query(`SELECT number, name FROM ${T} ORDER BY number`, [], r.db), [
    { number: 'a', name: 'z' },
    { number: 'b', name: 'z' },
    { number: 'c', name: 'w' },
  ]);
  // Raw, since supabase-js always lets you add a filter: an unfiltered PATCH would touch every row.
  const all = await fetch(`${r.rest.url}/rest/v1/${T}`, {
    method: 'PATCH',
    headers: { apikey: r.rest.serviceKey, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'all' }),
  });
  assert.equal(all.status, 400);
  assert.equal(((await all.json()) as { code: string }).code, '21000');
});

test('upsert with on_conflict merges on a unique table; 23505 is 409; without a constraint Postgres refuses', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const sb = await createSupabaseClient(r.conn);
  await sb.from(T).insert({ number: NUMBER, name: 'one' });
  const up = await sb.from(T).upsert({ number: NUMBER, name: 'two' }, { onConflict: 'number' }).select('number,name');
  assert.equal(up.status, 201);
  assert.deepEqual(up.data, [{ number: NUMBER, name: 'two' }]);
  assert.equal(r.rest.requests.at(-1)!.prefer.join(','), 'resolution=merge-duplicates,return=representation');

  const dup = await sb.from(T).insert({ number: NUMBER });
  assert.equal(dup.status, 409);
  assert.equal(dup.error?.code, '23505');
  assert.match(dup.error?.message ?? '', /duplicate key value violates unique constraint/);
  assert.deepEqual(await pg.query(`SELECT name FROM ${T}`, [], r.db), [{ name: 'two' }]);

  const old = await rig(t, pg, OLD_TABLE);
  const oldSb = await createSupabaseClient(old.conn);
  const refused = await oldSb.from(T).upsert({ number: NUMBER, name: 'x' }, { onConflict: 'number' });
  assert.equal(refused.status, 400);
  assert.equal(refused.error?.code, '42P10', 'no unique or exclusion constraint matching the ON CONFLICT specification');
  assert.deepEqual(await old.rows(), []);
});

test('unknown table 404 PGRST205; unknown column: 400 PGRST204 on write, 400 42703 on select and filter', async (t) => {
  const r = await rig(t, pg, OLD_TABLE);
  const sb = await createSupabaseClient(r.conn);
  const table = await sb.from('nope').select('*');
  assert.equal(table.status, 404);
  assert.deepEqual(table.error, { code: 'PGRST205', details: null, hint: null, message: "Could not find the table 'public.nope' in the schema cache" });

  const write = await sb.from(T).insert({ number: NUMBER, colour: 'red' });
  assert.equal(write.status, 400);
  assert.deepEqual(write.error, { code: 'PGRST204', details: null, hint: null, message: `Could not find the 'colour' column of '${T}' in the schema cache` });
  const patch = await sb.from(T).update({ colour: 'red' }).eq('number', NUMBER);
  assert.equal(patch.error?.code, 'PGRST204');

  const select = await sb.from(T).select('number,colour').limit(0);
  assert.equal(select.status, 400);
  assert.deepEqual(select.error, { code: '42703', details: null, hint: null, message: `column ${T}.colour does not exist` });
  const filter = await sb.from(T).select('*').eq('colour', 'red');
  assert.equal(filter.error?.code, '42703');
  assert.deepEqual(await r.rows(), [], 'nothing was written');
});

test('each request runs as the key\'s role: a table created by postgres is granted to nobody (403 42501, PostgREST\'s shape)', async (t) => {
  const r = await rig(t, pg, oldTable(['number', 'name']));
  const sb = await createSupabaseClient(r.conn);
  const read = await sb.from(T).select('*').limit(0);
  assert.equal(read.status, 403);
  assert.deepEqual(read.error, { code: '42501', details: null, hint: null, message: `permission denied for table ${T}` });
  const write = await sb.from(T).insert({ number: NUMBER });
  assert.equal(write.status, 403);
  assert.equal(write.error?.code, '42501');
  assert.equal(r.rest.requests.at(-1)!.role, 'service_role');

  // The table's grant (the sequence too, for the serial id) lets the service role in.
  await pg.psql(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${T} TO service_role;`, r.db);
  const noSequence = await sb.from(T).insert({ number: NUMBER });
  assert.equal(noSequence.error?.code, '42501');
  assert.match(noSequence.error?.message ?? '', /permission denied for sequence/);
  await pg.psql('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO service_role;', r.db);
  assert.equal((await sb.from(T).insert({ number: NUMBER })).status, 201);
  assert.deepEqual(await r.rows('number'), [{ number: NUMBER }]);
});

test('the schema: service_role reads and writes (it bypasses RLS); anon can read nothing and write nothing', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const service = await createSupabaseClient(r.conn);
  assert.equal((await service.from(T).insert({ number: NUMBER, name: 'Proj line' })).status, 201);
  assert.equal((await service.from('interactions').insert({ phone_number: NUMBER })).status, 201);
  assert.deepEqual((await service.from(T).select('number,name')).data, [{ number: NUMBER, name: 'Proj line' }]);

  const anon = await createSupabaseClient({ ...r.conn, serviceKey: r.rest.anonKey });
  for (const table of [T, 'interactions']) {
    const read = await anon.from(table).select('*');
    assert.equal(read.status, 401, `${table}: anon is not granted`);
    assert.equal(read.error?.code, '42501');
    assert.equal(read.data, null);
  }
  const write = await anon.from(T).insert({ number: UNRELATED_NUMBER });
  assert.equal(write.status, 401);
  assert.equal(write.error?.code, '42501');

  // Even granted (an older project's default), RLS without a policy shows anon no row and refuses its writes.
  await pg.psql(`GRANT ALL ON ${T} TO anon;`, r.db);
  assert.deepEqual((await anon.from(T).select('*')).data, []);
  const rls = await anon.from(T).insert({ number: UNRELATED_NUMBER });
  assert.equal(rls.status, 401);
  assert.match(rls.error?.message ?? '', /row-level security/);
  assert.deepEqual(await r.rows('number'), [{ number: NUMBER }]);
});

test('an older project\'s table (granted to every API role, RLS off) stays readable by anon, as it was', async (t) => {
  const r = await rig(t, pg, OLD_TABLE + `INSERT INTO ${T} (number) VALUES ('${NUMBER}');`);
  const anon = await createSupabaseClient({ ...r.conn, serviceKey: r.rest.anonKey });
  assert.deepEqual((await anon.from(T).select('number')).data, [{ number: NUMBER }]);
  // After the schema (grants + RLS), anon sees nothing; service_role still everything.
  await pg.psql(renderSchema(), r.db);
  assert.deepEqual((await anon.from(T).select('number')).data, []);
  const service = await createSupabaseClient(r.conn);
  assert.deepEqual((await service.from(T).select('number')).data, [{ number: NUMBER }]);
});
