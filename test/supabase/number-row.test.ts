// Registering the number through supabase-js → the PostgREST stand-in → a real Postgres, on tables as
// they are found in the field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withDefaults } from '../../src/config.ts';
import { applyPlan } from '../../src/changes.ts';
import { NUMBER_COLUMNS, renderSchema } from '../../src/render/sql.ts';
import { findRecentInteraction, MissingColumnsError, readNumberRow, type SupabaseConn } from '../../src/services/supabase.ts';
import { planNumberRow, type NumberRowChange } from '../../src/services/supabase-row.ts';
import type { Values } from '../../src/settings.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { HOSTILE, NUMBER, rig } from './helpers.ts';
import { NUMBER_NATIONAL, OLD_GRANTS, OLD_TABLE, oldTableWithout, UNRELATED_NUMBER } from '../fixtures.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const desired = (over: Values = {}) =>
  withDefaults({ PHONE_NUMBER: NUMBER, PHONE_NAME: 'Sales line', TTS_VOICE: 'Rachel', ...over });

/** What a wizard run does: read the row, plan, apply. Returns the plan. */
async function run(conn: SupabaseConn, values: Values): Promise<NumberRowChange[]> {
  const changes = planNumberRow(conn, values, await readNumberRow(conn, NUMBER));
  const report = await applyPlan(changes);
  if (report.failed) throw report.failed.error;
  return changes;
}

const columns = NUMBER_COLUMNS.map(([, c]) => c).join(', ');
/** Only the per-number settings of `values` (withDefaults fills others too). */
const perNumber = (values: Values): Values => Object.fromEntries(NUMBER_COLUMNS.flatMap(([k]) => (values[k] === undefined ? [] : [[k, values[k]]])));

test('a fresh table gets one row holding every value; the row is read back', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const values = desired();
  const changes = await run(r.conn, values);
  assert.equal(changes.length, 1);
  assert.equal(
    changes[0]!.summary,
    `database: add ${NUMBER}: name "Sales line"; status "active"; stt_provider "deepgram"; stt_model "nova-2"; ` +
      'tts_provider "elevenlabs"; tts_voice "Rachel"; llm_provider "openai"; llm_model "gpt-5"',
  );
  const rows = await r.rows(columns);
  assert.equal(rows.length, 1);
  for (const [key, column] of NUMBER_COLUMNS) assert.equal(rows[0]![column], values[key], column);
  assert.deepEqual(changes[0]!.written?.values, perNumber(values));
  assert.equal(changes[0]!.written?.storedAsE164, true);
  // One request: an upsert on the unique number, answered with the row (no read after it).
  assert.deepEqual(r.rest.requests.slice(1).map((w) => w.method), ['POST']);
  assert.ok(r.writes()[0]!.query.some(([k, v]) => k === 'on_conflict' && v === 'number'));
  assert.ok(r.writes()[0]!.prefer.includes('resolution=merge-duplicates'));
});

test('a rerun with a new voice updates that row; a rerun with nothing changed plans nothing and writes nothing', async (t) => {
  const r = await rig(t, pg, renderSchema());
  await run(r.conn, desired());

  const changed = await run(r.conn, desired({ TTS_VOICE: 'Adam', LLM_MODEL: 'gpt-5-mini' }));
  assert.equal(changed[0]!.summary, `database: update tts_voice, llm_model for ${NUMBER}: tts_voice "Rachel" → "Adam"; llm_model "gpt-5" → "gpt-5-mini"`);
  assert.deepEqual(await r.rows('number, tts_voice, llm_model, name'), [
    { number: NUMBER, tts_voice: 'Adam', llm_model: 'gpt-5-mini', name: 'Sales line' },
  ]);

  const writesBefore = r.writes().length;
  const again = await run(r.conn, desired({ TTS_VOICE: 'Adam', LLM_MODEL: 'gpt-5-mini' }));
  assert.deepEqual(again, []);
  assert.equal(r.writes().length, writesBefore, 'no write request was sent');
  assert.equal((await r.rows()).length, 1);
});

test('a table without a unique constraint on number still ends with exactly one row after two applies', async (t) => {
  const r = await rig(t, pg, OLD_TABLE);
  await run(r.conn, desired());
  // Apply the same "add" plan twice over, as two wizard runs racing on a stale read would.
  const stale = planNumberRow(r.conn, desired({ TTS_VOICE: 'Adam' }), undefined);
  await stale[0]!.apply();
  await stale[0]!.apply();
  assert.deepEqual(await r.rows('number, tts_voice'), [{ number: NUMBER, tts_voice: 'Adam' }]);
});

test('on a unique table, an "add" planned before another run inserted the row merges into it, in one request', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const stale = planNumberRow(r.conn, desired({ TTS_VOICE: 'Adam' }), undefined);
  await run(r.conn, desired());
  const before = r.rest.requests.length;
  await stale[0]!.apply();
  assert.deepEqual(await r.rows('number, tts_voice'), [{ number: NUMBER, tts_voice: 'Adam' }]);
  assert.equal(r.rest.requests.length - before, 1);
  assert.equal(stale[0]!.written?.values.TTS_VOICE, 'Adam', 'the answer is the row as stored');
});

test('a row stored as 10 digits is found, updated in place and normalised to E.164', async (t) => {
  const r = await rig(
    t,
    pg,
    OLD_TABLE +
      `INSERT INTO signalwire_phone_numbers (number, name, tts_voice) VALUES ('${NUMBER_NATIONAL}', 'old', 'Rachel'), ('${UNRELATED_NUMBER}', 'other', 'x');`,
  );
  const found = await readNumberRow(r.conn, NUMBER);
  assert.equal(found?.storedNumber, '4244851544');
  assert.equal(found?.storedAsE164, false);
  assert.equal(found?.values.PHONE_NAME, 'old');
  assert.equal(found?.values.PHONE_NUMBER, NUMBER);

  const changes = planNumberRow(r.conn, { PHONE_NUMBER: NUMBER, PHONE_NAME: 'old', TTS_VOICE: 'Rachel' }, found);
  assert.equal(changes[0]?.summary, `database: update number for ${NUMBER}: number "4244851544" → "${NUMBER}"`);
  await changes[0]!.apply();
  assert.deepEqual(await r.rows('id, number, name'), [
    { id: 1, number: NUMBER, name: 'old' },
    { id: 2, number: UNRELATED_NUMBER, name: 'other' },
  ]);
  assert.equal(changes[0]!.written?.storedAsE164, true);
});

test('a table missing tts_voice: MissingColumnsError with the ALTER line, no row written; after the ALTER a retry works', async (t) => {
  const r = await rig(t, pg, oldTableWithout('tts_voice', 'llm_model') + OLD_GRANTS);
  const changes = planNumberRow(r.conn, desired(), await readNumberRow(r.conn, NUMBER));
  let caught: unknown;
  try {
    await changes[0]!.apply();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MissingColumnsError, String(caught));
  assert.deepEqual(caught.columns, ['tts_voice', 'llm_model']);
  assert.ok(caught.sql.includes('ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS tts_voice text;'), caught.sql);
  assert.ok(caught.sql.includes('ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS llm_model text;'), caught.sql);
  assert.ok(caught.sql.includes('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE signalwire_phone_numbers TO service_role;'), 'the grant lines come with it');
  assert.doesNotMatch(caught.message, /[\r\n]/);
  assert.equal(caught.exitCode, 2);
  assert.deepEqual(await r.rows(), [], 'no partial row');
  assert.deepEqual(r.writes().map((w) => w.status), [400], 'the one write was refused whole');

  // The person runs the printed SQL; the same change now goes through.
  await pg.psql(caught.sql, r.db);
  await changes[0]!.apply();
  assert.deepEqual(await r.rows('number, tts_voice'), [{ number: NUMBER, tts_voice: 'Rachel' }]);
});

test('hostile values round-trip unchanged through supabase-js, the stand-in and Postgres', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const values = desired({ PHONE_NAME: HOSTILE[0], TTS_VOICE: HOSTILE[1], STT_MODEL: HOSTILE[2], LLM_MODEL: HOSTILE[3], TTS_PROVIDER: HOSTILE[4] });
  const changes = await run(r.conn, values);
  const [row] = await r.rows(columns);
  for (const [key, column] of NUMBER_COLUMNS) assert.equal(row![column], values[key], column);
  assert.deepEqual(changes[0]!.written?.values, perNumber(values));
  assert.deepEqual(await run(r.conn, values), [], 'and compare equal on the next run');
  assert.equal((await pg.query(`SELECT to_regclass('signalwire_phone_numbers') AS t`, [], r.db))[0]!.t, 'signalwire_phone_numbers');
});

test('findRecentInteraction: a row for the number after `since`, in either stored form; a missing table is reported', async (t) => {
  const r = await rig(t, pg, renderSchema());
  const since = new Date(Date.now() - 60_000);
  assert.deepEqual(await findRecentInteraction(r.conn, NUMBER, since), { tableMissing: false });
  await pg.query(
    `INSERT INTO interactions (phone_number, created_at) VALUES ($1, now() - interval '1 hour'), ('${UNRELATED_NUMBER}', now())`,
    [NUMBER],
    r.db,
  );
  assert.deepEqual(await findRecentInteraction(r.conn, NUMBER, since), { tableMissing: false }, 'old and other rows do not count');
  await pg.query(`INSERT INTO interactions (phone_number) VALUES ('${NUMBER_NATIONAL}')`, [], r.db);
  assert.deepEqual(await findRecentInteraction(r.conn, NUMBER, since), { row: { turns: 0 }, tableMissing: false });
  // The agent's row for the call, by its call id, with what the check shows of it.
  await pg.query(
    `INSERT INTO interactions (phone_number, call_id, call_type, cost_usd, transcript) VALUES ($1, 'SCL_ours', 'inbound-qualified', 0.0042, $2)`,
    [NUMBER, JSON.stringify([{ role: 'assistant', text: 'Hi Ada' }, { role: 'user', text: 'Hello' }])],
    r.db,
  );
  assert.deepEqual(await findRecentInteraction(r.conn, NUMBER, since, 'SCL_ours'), {
    row: { turns: 2, firstAgentTurn: 'Hi Ada', callType: 'inbound-qualified', costUsd: 0.0042 },
    tableMissing: false,
  });

  const bare = await rig(t, pg, OLD_TABLE);
  assert.deepEqual(await findRecentInteraction(bare.conn, NUMBER, since), { tableMissing: true });
});
