// Today's Supabase grants a new table to nobody. Through supabase-js → the stand-in (each request run as
// the key's role) → a real Postgres: a brand-new project, and a table whose grants were revoked. The CLI
// runs are the built binary (npm test builds it first).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDefaults } from '../../src/config.ts';
import { applyPlan } from '../../src/changes.ts';
import { renderSchema } from '../../src/render/sql.ts';
import { checkSupabase, createSupabaseClient, GrantMissingError, readNumberRow } from '../../src/services/supabase.ts';
import { planNumberRow } from '../../src/services/supabase-row.ts';
import { runCli } from '../helpers/cli.ts';
import { KEY, startPty } from '../helpers/pty.ts';
import { startWorld } from '../helpers/world.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { oldTable } from '../fixtures.ts';
import { NUMBER, oneLineError, rig } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const tmp = () => mkdtempSync(join(tmpdir(), 'csi-grants-'));
const REVOKE = 'REVOKE ALL ON signalwire_phone_numbers FROM service_role;';
const GRANT_LINE =
  'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE signalwire_phone_numbers TO service_role; ' +
  'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO service_role;';

test('a brand-new project: no table, then the schema `sql --schema` prints, run as postgres; the row goes in; anon reads nothing', async (t) => {
  const r = await rig(t, pg);
  assert.deepEqual(await checkSupabase(r.conn), { tableMissing: true });

  const schema = await runCli(['sql', '--schema']);
  assert.equal(schema.code, 0, schema.stderr);
  await pg.psql(schema.stdout, r.db); // the SQL editor runs as postgres, which then owns the tables
  const owners = await pg.query(`SELECT tablename, tableowner, rowsecurity FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`, [], r.db);
  assert.deepEqual(
    owners,
    ['call_prompts', 'callbacks', 'interactions', 'leads', 'signalwire_phone_numbers'].map((tablename) => ({ tablename, tableowner: 'postgres', rowsecurity: true })),
  );
  // The agent's tables are the service role's to read and write, and nobody else's.
  const grants = await pg.query(
    `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) AS p FROM information_schema.role_table_grants
     WHERE grantee = 'service_role' AND table_name IN ('leads', 'call_prompts', 'callbacks') GROUP BY table_name ORDER BY table_name`,
    [],
    r.db,
  );
  assert.deepEqual(grants.map((g) => [g.table_name, g.p]), ['call_prompts', 'callbacks', 'leads'].map((t) => [t, 'DELETE,INSERT,SELECT,UPDATE']));
  await pg.psql(schema.stdout, r.db); // and a second run changes nothing and fails nothing
  assert.deepEqual(await checkSupabase(r.conn), { tableMissing: false });

  const changes = planNumberRow(r.conn, withDefaults({ PHONE_NUMBER: NUMBER, PHONE_NAME: 'Proj line' }), await readNumberRow(r.conn, NUMBER));
  const report = await applyPlan(changes);
  assert.equal(report.failed, undefined, String(report.failed?.error));
  assert.deepEqual(await r.rows('number, name'), [{ number: NUMBER, name: 'Proj line' }]);

  // The anon key (public in any browser app) can read neither table.
  const anon = await createSupabaseClient({ ...r.conn, serviceKey: r.rest.anonKey });
  for (const table of ['signalwire_phone_numbers', 'interactions']) {
    const res = await anon.from(table).select('*');
    assert.equal(res.data, null, table);
    assert.equal(res.error?.code, '42501', table);
  }
  const rls = await pg.query(`SELECT relname, relrowsecurity FROM pg_class WHERE relname IN ('signalwire_phone_numbers', 'interactions') ORDER BY relname`, [], r.db);
  assert.deepEqual(rls, [{ relname: 'interactions', relrowsecurity: true }, { relname: 'signalwire_phone_numbers', relrowsecurity: true }]);
});

test('revoked grants: the key check reports the grant with the exact SQL; every read and write says the same in one line', async (t) => {
  const r = await rig(t, pg, renderSchema() + `INSERT INTO signalwire_phone_numbers (number, name) VALUES ('${NUMBER}', 'Proj line');` + REVOKE);
  const res = await checkSupabase(r.conn);
  assert.equal(res.tableMissing, false);
  assert.ok(res.grantMissing instanceof GrantMissingError);
  assert.equal(res.grantMissing.table, 'signalwire_phone_numbers');
  assert.equal(
    res.grantMissing.message,
    'Supabase denies the service-role key access to signalwire_phone_numbers (42501 permission denied): grant it to service_role: ' +
      `run in Supabase → SQL Editor: ${GRANT_LINE}`,
  );
  assert.equal(r.rest.requests.length, 1, 'found by the key check itself');
  assert.equal(r.rest.requests[0]!.status, 403);

  const read = await oneLineError(() => readNumberRow(r.conn, NUMBER), GrantMissingError, r.conn.serviceKey);
  assert.equal(read.exitCode, 2);

  // Reads granted, writes not: the write is refused with the same line and nothing changes.
  await pg.psql('GRANT SELECT ON signalwire_phone_numbers TO service_role;', r.db);
  assert.deepEqual(await checkSupabase(r.conn), { tableMissing: false });
  const changes = planNumberRow(r.conn, { PHONE_NUMBER: NUMBER, TTS_VOICE: 'Adam' }, await readNumberRow(r.conn, NUMBER));
  await oneLineError(() => changes[0]!.apply(), GrantMissingError, r.conn.serviceKey);
  assert.deepEqual(await r.rows('name, tts_voice'), [{ name: 'Proj line', tts_voice: null }]);

  // The SQL in the line is what fixes it.
  await pg.psql(GRANT_LINE, r.db);
  await changes[0]!.apply();
  assert.deepEqual(await r.rows('name, tts_voice'), [{ name: 'Proj line', tts_voice: 'Adam' }]);
});

test('a sequence not granted (an older table with a serial id) names the sequence grant', async (t) => {
  const r = await rig(t, pg, `${oldTable()}GRANT SELECT, INSERT, UPDATE, DELETE ON signalwire_phone_numbers TO service_role;`);
  const changes = planNumberRow(r.conn, withDefaults({ PHONE_NUMBER: NUMBER }), undefined);
  const err = await oneLineError(() => changes[0]!.apply(), GrantMissingError, r.conn.serviceKey);
  assert.match(err.message, /access to sequence signalwire_phone_numbers_id_seq .*GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO service_role;$/);
});

test('setup without prompts on a table with revoked grants: exit 2, one line naming the grant, no trunk, no .env', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg, schema: renderSchema() + REVOKE });
  after(() => w.stop());
  const cwd = tmp();
  const r = await runCli(['--yes', '--number', NUMBER], { cwd, env: w.env });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(r.stderr.includes(`grant it to service_role: run in Supabase → SQL Editor: ${GRANT_LINE}`), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(!r.stderr.includes(w.rest.serviceKey));
  assert.equal(w.livekit.trunks.size, 0, 'no trunk created');
  assert.equal(w.livekit.rules.size, 0);
  assert.ok(!existsSync(join(cwd, '.env')), 'nothing written');
});

test('the setup shows the GRANT, waits on "Done? Check again", and goes on once it has run', { timeout: 60_000 }, async (t) => {
  const w = await startWorld({ pg, schema: renderSchema() + REVOKE });
  after(() => w.stop());
  const cwd = tmp();
  const p = startPty(['--yes', '--number', NUMBER, '--no-check'], { cwd, env: { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0011' } });
  t.after(() => p.kill()); // a failed wait must not leave the program running
  await p.waitFor('Done? Check again', { timeoutMs: 15_000 });
  assert.match(p.screen(), /denies the service-role key access to signalwire_phone_numbers: grant it to service_role/);
  assert.match(p.screen(), /GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE signalwire_phone_numbers TO service_role;/);
  assert.equal(w.livekit.trunks.size, 0, 'nothing created while it waits');
  p.write(KEY.enter); // not granted yet: it asks again
  await p.waitFor(/Done\? Check again[\s\S]*Done\? Check again/, { in: 'transcript' });
  await w.pg.psql(GRANT_LINE, w.db);
  p.write(KEY.enter);
  assert.equal(await p.exited, 0, p.screen());
  assert.equal(w.livekit.trunks.size, 1);
  assert.deepEqual((await w.rows()).map((row) => row.number), [NUMBER]);
});

test('a brand-new project through the setup: the schema from `sql --schema`, run as postgres, lets it go on', { timeout: 60_000 }, async (t) => {
  const w = await startWorld({ pg, schema: 'SELECT 1;' });
  after(() => w.stop());
  const cwd = tmp();
  const p = startPty(['--yes', '--number', NUMBER, '--name', 'Proj line', '--no-check'], { cwd, env: { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0012' } });
  t.after(() => p.kill());
  await p.waitFor('Done? Check again', { timeoutMs: 15_000 });
  assert.match(p.screen(), /GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE signalwire_phone_numbers TO service_role;/);
  await w.pg.psql((await runCli(['sql', '--schema'])).stdout, w.db);
  p.write(KEY.enter);
  assert.equal(await p.exited, 0, p.screen());
  assert.deepEqual((await w.rows()).map((row) => [row.number, row.name]), [[NUMBER, 'Proj line']]);
  const anon = await createSupabaseClient({ url: w.rest.url, serviceKey: w.rest.anonKey });
  assert.equal((await anon.from('signalwire_phone_numbers').select('*')).data, null, 'anon reads nothing');
});

test('the check\'s database hop names the grant the agent needs too', async (t) => {
  const { databaseHop } = await import('../../src/check/database-hop.ts');
  const r = await rig(t, pg, renderSchema() + REVOKE);
  const hop = await databaseHop({ PHONE_NUMBER: NUMBER, SUPABASE_URL: r.conn.url, SUPABASE_SERVICE_ROLE_KEY: r.conn.serviceKey });
  assert.equal(hop.ok, false);
  assert.match(hop.detail ?? "", /denies the service-role key access to signalwire_phone_numbers \(42501\): the agent cannot read its settings/);
  assert.equal(hop.fix, `grant it to service_role in Supabase → SQL Editor: ${GRANT_LINE}`);
});
