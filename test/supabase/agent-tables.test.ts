// The starter agent's tables on a real Postgres behind the PostgREST stand-in (each request run as the key's
// role): schema.sql upgrades an older `interactions` table in place, keeping its rows, so the agent's write
// (an upsert on call_id) then works; the anon key, public in any browser app, can neither read nor write
// leads, call_prompts or callbacks, while the service-role key the agent uses can; `sql --seed` fills the
// example prompts; and the setup facing an empty database names every table the schema creates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSchema, renderSeed, schemaTables } from '../../src/render/sql.ts';
import { runCli } from '../helpers/cli.ts';
import { startWorld } from '../helpers/world.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, rig, type Rig } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const NEW_COLUMNS = ['call_type', 'providers', 'usage', 'cost_usd'];

/** The interactions table as the schema made it before the starter agent, granted and closed as it did. */
const PREVIOUS_RELEASE = `CREATE TABLE interactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL DEFAULT now(), phone_number text,
  caller_number text, direction text DEFAULT 'inbound', room_name text, call_id text, status text,
  duration_seconds integer, transcript jsonb, metadata jsonb);
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE interactions TO service_role;
ALTER TABLE interactions ENABLE ROW LEVEL SECURITY;
INSERT INTO interactions (phone_number, caller_number, call_id, status, transcript)
  VALUES ('+14244851544', '+16505300051', 'SCL_old', 'completed', '[{"role": "assistant", "text": "Hello"}]');
`;
/** A hand-made one, as a guide reader may have: a serial id and a few columns. */
const HAND_MADE = `CREATE TABLE interactions (id serial PRIMARY KEY, phone_number text, transcript jsonb);
INSERT INTO interactions (phone_number, transcript) VALUES ('+14244851544', '[]');
`;

async function columns(r: Rig): Promise<string[]> {
  const rows = await pg.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'interactions'`, [], r.db);
  return rows.map((c) => String(c.column_name));
}

/** The agent's write, as supabase-py sends it: an upsert on call_id with the service-role key. */
function agentWrite(r: Rig, row: Record<string, unknown>): Promise<Response> {
  return fetch(`${r.rest.url}/rest/v1/interactions?on_conflict=call_id`, {
    method: 'POST',
    headers: { apikey: r.rest.serviceKey, Authorization: `Bearer ${r.rest.serviceKey}`, 'Content-Type': 'application/json', Prefer: 'resolution=merge-duplicates,return=minimal' },
    body: JSON.stringify(row),
  });
}

const CALL = {
  phone_number: '+14244851544', caller_number: '+16505300051', room_name: 'sip-_+16505300051_abc', call_id: 'SCL_new', call_type: 'inbound-qualified',
  status: 'completed', duration_seconds: 12, providers: { stt: 'local/pocketsphinx', llm: 'local/scripted', tts: 'local/espeak-ng', settings: 'row' },
  transcript: [{ role: 'assistant', text: 'Hi Ada', at: '2026-12-04T05:00:00Z' }], usage: { tts: { characters: 6 } }, cost_usd: 0, metadata: { tools: [] },
};

for (const [name, old] of [['the previous release', PREVIOUS_RELEASE], ['a hand-made table', HAND_MADE]] as const) {
  test(`an older interactions table (${name}) is upgraded in place by schema.sql; its rows stay; the agent's write works, twice`, async (t) => {
    const r = await rig(t, pg, old);
    const before = await pg.query('SELECT count(*)::int AS n FROM interactions', [], r.db);
    for (const c of NEW_COLUMNS) assert.ok(!(await columns(r)).includes(c), c);

    await pg.psql(renderSchema(), r.db);
    await pg.psql(renderSchema(), r.db); // and again: nothing changes, nothing fails
    const after = await columns(r);
    for (const c of [...NEW_COLUMNS, ...Object.keys(CALL)]) assert.ok(after.includes(c), `interactions lacks ${c} after the upgrade`);
    assert.deepEqual(await pg.query('SELECT count(*)::int AS n FROM interactions', [], r.db), before);

    for (const duration of [12, 13]) {
      const res = await agentWrite(r, { ...CALL, duration_seconds: duration });
      assert.ok(res.status < 300, `${res.status} ${await res.text()}`);
    }
    const rows = await pg.query(`SELECT call_type, duration_seconds, providers->>'tts' AS tts FROM interactions WHERE call_id = 'SCL_new'`, [], r.db);
    assert.deepEqual(rows, [{ call_type: 'inbound-qualified', duration_seconds: 13, tts: 'local/espeak-ng' }], 'one row per call');
  });
}

test('the anon key can neither read nor write leads, call_prompts or callbacks; the service-role key can', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const rows: Record<string, object> = {
    leads: { phone: '+16505300051', name: 'Ada Lovelace', qualified: true },
    call_prompts: { call_type: 'inbound-unknown', greeting: 'Hello?', instructions: 'Ask their name.' },
    callbacks: { phone: '+16505300051', requested_for: 'tomorrow' },
  };
  const as = (key: string, table: string, init: RequestInit = {}) =>
    fetch(`${r.rest.url}/rest/v1/${table}`, { ...init, headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' } });
  for (const [table, row] of Object.entries(rows)) {
    const write = await as(r.rest.anonKey, table, { method: 'POST', body: JSON.stringify(row) });
    // PostgREST answers 42501 with 401 for a request without a signed-in user (403 with one).
    assert.equal(write.status, 401, `anon wrote ${table}: ${write.status}`);
    assert.equal(((await write.json()) as { code: string }).code, '42501', table);
    assert.equal((await as(r.rest.serviceKey, table, { method: 'POST', body: JSON.stringify(row) })).status, 201, table);
    const read = await as(r.rest.anonKey, `${table}?select=*`);
    assert.equal(read.status, 401, `anon read ${table}: ${read.status}`);
    assert.equal(((await read.json()) as { code: string }).code, '42501', table);
    assert.equal(((await (await as(r.rest.serviceKey, `${table}?select=*`)).json()) as unknown[]).length, 1, table);
  }
});

test('sql --seed prints the example prompts: after the schema they fill call_prompts once, and never overwrite a changed one', async (t) => {
  const seed = await runCli(['sql', '--seed']);
  assert.equal(seed.code, 0, seed.stderr);
  assert.equal(seed.stdout, renderSeed());
  const both = await runCli(['sql', '--schema', '--seed', '--json']);
  const doc = JSON.parse(both.stdout) as { schema: boolean; seed: boolean; sql: string };
  assert.deepEqual([doc.schema, doc.seed], [true, true]);
  assert.ok(doc.sql.indexOf('CREATE TABLE IF NOT EXISTS call_prompts') < doc.sql.indexOf('INSERT INTO call_prompts'), 'the tables come first');

  const r = await rig(t, pg);
  await pg.psql(doc.sql, r.db);
  await pg.psql(`UPDATE call_prompts SET greeting = 'Mine' WHERE call_type = 'inbound-unknown';`, r.db);
  await pg.psql(seed.stdout, r.db);
  const prompts = await pg.query('SELECT call_type, greeting FROM call_prompts ORDER BY call_type', [], r.db);
  assert.deepEqual(prompts.map((p) => p.call_type), ['inbound-qualified', 'inbound-unknown', 'inbound-unqualified']);
  assert.equal(prompts.find((p) => p.call_type === 'inbound-unknown')!.greeting, 'Mine');
});

test('setup without prompts on an empty database: exit 2, one line that names every table the schema creates', { timeout: 60_000 }, async () => {
  assert.deepEqual(schemaTables(), ['signalwire_phone_numbers', 'interactions', 'leads', 'call_prompts', 'callbacks']);
  const w = await startWorld({ pg, schema: 'SELECT 1;' });
  const cwd = mkdtempSync(join(tmpdir(), 'csi-agent-tables-'));
  try {
    const r = await runCli(['--yes', '--number', NUMBER], { cwd, env: w.env });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /sql --schema` in the SQL editor \(it creates signalwire_phone_numbers, interactions, leads, call_prompts, and callbacks\)/);
  } finally {
    await w.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
});
