// The SQL the person pastes, run through the real psql on a real PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER_COLUMNS, renderNumberSql, renderSchema, sqlLiteral } from '../../src/render/sql.ts';
import { withDefaults } from '../../src/config.ts';
import { NUMBER, NUMBER_NATIONAL, oldTable, UNRELATED_NUMBER } from '../fixtures.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const HOSTILE = [
  "O'Brien'); DROP TABLE x; --",
  'back\\slash \\n \\\\ and \\',
  'unicode: 日本語 — 🎧 Ünïcödé',
  'new\nline\r\nand\ttab',
  "$$ dollar $$ and E'' and ''",
];

const OLD_TABLE_NO_UNIQUE = oldTable();

test('sqlLiteral: every hostile string comes back unchanged from Postgres, whatever standard_conforming_strings says', async () => {
  const db = await pg.createDatabase();
  for (const conforming of ['on', 'off']) {
    for (const s of HOSTILE) {
      // Hex on the way out, so psql's own formatting cannot hide a difference.
      const outp = await pg.psql(
        `SET standard_conforming_strings = ${conforming};\n\\pset format unaligned\n\\pset tuples_only on\n` +
          `SELECT encode(convert_to(${sqlLiteral(s)}, 'UTF8'), 'hex');`,
        db,
      );
      assert.equal(Buffer.from(outp.trim(), 'hex').toString('utf8'), s, `${conforming}: ${JSON.stringify(s)}`);
    }
  }
  assert.equal(sqlLiteral(null), 'NULL');
  assert.throws(() => sqlLiteral('nul\0byte'));
});

for (const variant of ['with a unique constraint (schema.sql)', 'without a unique constraint (older table)']) {
  test(`the number SQL run twice leaves one row with the values: ${variant}`, async () => {
    const db = await pg.createDatabase();
    await pg.psql(variant.startsWith('with') ? renderSchema() : OLD_TABLE_NO_UNIQUE, db);
    const values = withDefaults({ PHONE_NUMBER: NUMBER, PHONE_NAME: HOSTILE[0], TTS_VOICE: HOSTILE.slice(1).join('|') });
    const sql = renderNumberSql(values);
    await pg.psql(sql, db);
    await pg.psql(sql, db);
    const rows = await pg.query(`SELECT ${NUMBER_COLUMNS.map(([, c]) => c).join(', ')} FROM signalwire_phone_numbers`, [], db);
    assert.equal(rows.length, 1);
    for (const [key, column] of NUMBER_COLUMNS) assert.equal(rows[0]![column], values[key], column);
    assert.equal(rows[0]!.tts_voice, HOSTILE.slice(1).join('|'));

    // A changed value updates the same row.
    await pg.psql(renderNumberSql({ ...values, TTS_VOICE: 'Adam' }), db);
    const again = await pg.query(`SELECT tts_voice, name FROM signalwire_phone_numbers`, [], db);
    assert.deepEqual(again, [{ tts_voice: 'Adam', name: HOSTILE[0] }]);
    // The table the hostile name tried to drop was never touched; ours is still there.
    assert.equal((await pg.query(`SELECT to_regclass('signalwire_phone_numbers') AS t`, [], db))[0]!.t, 'signalwire_phone_numbers');
  });
}

test('a number stored as 10 digits is updated in place and normalised to E.164', async () => {
  const db = await pg.createDatabase();
  await pg.psql(OLD_TABLE_NO_UNIQUE + `INSERT INTO signalwire_phone_numbers (number, name) VALUES ('${NUMBER_NATIONAL}', 'old'), ('${UNRELATED_NUMBER}', 'other');`, db);
  await pg.psql(renderNumberSql({ PHONE_NUMBER: NUMBER, PHONE_NAME: 'new' }), db);
  const rows = await pg.query(`SELECT number, name FROM signalwire_phone_numbers ORDER BY number`, [], db);
  assert.deepEqual(rows, [{ number: NUMBER, name: 'new' }, { number: UNRELATED_NUMBER, name: 'other' }]);
});

test('schema.sql creates both tables, runs twice, and upgrades an older table', async () => {
  const db = await pg.createDatabase();
  await pg.psql(`${oldTable(['number', 'name'])}
    INSERT INTO signalwire_phone_numbers (number, name) VALUES ('${NUMBER}', 'kept');`, db);
  await pg.psql(renderSchema(), db);
  await pg.psql(renderSchema(), db);
  const cols = await pg.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = 'signalwire_phone_numbers'`, [], db);
  for (const [, c] of NUMBER_COLUMNS) assert.ok(cols.some((r) => r.column_name === c), `column ${c} added`);
  assert.deepEqual(await pg.query(`SELECT name FROM signalwire_phone_numbers`, [], db), [{ name: 'kept' }]);
  // The unique index now exists, so a duplicate is refused.
  await assert.rejects(pg.psql(`INSERT INTO signalwire_phone_numbers (number) VALUES ('${NUMBER}');`, db), /duplicate key/);
  assert.equal((await pg.query(`SELECT to_regclass('interactions') AS t`, [], db))[0]!.t, 'interactions');
});

test('schema.sql has an ADD COLUMN IF NOT EXISTS for every column the wizard writes', () => {
  const schema = renderSchema();
  for (const [, c] of NUMBER_COLUMNS.filter(([, c]) => c !== 'number'))
    assert.match(schema, new RegExp(`ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS ${c} `), c);
});

test('sql with one flag sets only that column on an existing row and bumps updated_at; a new row gets the defaults', async () => {
  const db = await pg.createDatabase();
  await pg.psql(renderSchema(), db);
  // A new row: what was given, and the defaults for the rest.
  await pg.psql(renderNumberSql({ PHONE_NUMBER: NUMBER, STT_MODEL: 'nova-3', PHONE_NAME: 'Proj line' }), db);
  const cols = 'name, status, stt_provider, stt_model, tts_provider, tts_voice, llm_provider, llm_model';
  assert.deepEqual(await pg.query(`SELECT ${cols} FROM signalwire_phone_numbers`, [], db), [
    { name: 'Proj line', status: 'active', stt_provider: 'deepgram', stt_model: 'nova-3', tts_provider: 'elevenlabs', tts_voice: 'Rachel', llm_provider: 'openai', llm_model: 'gpt-5' },
  ]);
  await pg.query(`UPDATE signalwire_phone_numbers SET updated_at = '2020-01-01', created_at = '2020-01-01'`, [], db);

  // The README's example: only the voice changes; stt_model stays nova-3, the name stays.
  await pg.psql(renderNumberSql({ PHONE_NUMBER: NUMBER, TTS_VOICE: 'Adam' }), db);
  const [row] = await pg.query(`SELECT ${cols}, updated_at > now() - interval '1 minute' AS bumped, created_at < '2021-01-01' AS created_kept FROM signalwire_phone_numbers`, [], db);
  assert.deepEqual(row, {
    name: 'Proj line', status: 'active', stt_provider: 'deepgram', stt_model: 'nova-3', tts_provider: 'elevenlabs', tts_voice: 'Adam',
    llm_provider: 'openai', llm_model: 'gpt-5', bumped: true, created_kept: true,
  });
});

test('sql on an older table without updated_at or a unique constraint: only the given column changes, one row remains', async () => {
  const db = await pg.createDatabase();
  await pg.psql(OLD_TABLE_NO_UNIQUE + `INSERT INTO signalwire_phone_numbers (number, name, stt_model) VALUES ('${NUMBER_NATIONAL}', 'Proj line', 'nova-3');`, db);
  const sql = renderNumberSql({ PHONE_NUMBER: NUMBER, TTS_VOICE: 'Adam' });
  await pg.psql(sql, db);
  await pg.psql(sql, db);
  assert.deepEqual(await pg.query(`SELECT number, name, stt_model, tts_voice, status FROM signalwire_phone_numbers`, [], db), [
    { number: NUMBER, name: 'Proj line', stt_model: 'nova-3', tts_voice: 'Adam', status: null },
  ]);
});

test('no value can end the dollar-quoted block: values holding its tags round-trip', async () => {
  const db = await pg.createDatabase();
  await pg.psql(renderSchema(), db);
  const name = "$csi$; DROP TABLE signalwire_phone_numbers; $csi$ $csi1$ $$ $TAG$ {{values}}";
  const sql = renderNumberSql({ PHONE_NUMBER: NUMBER, PHONE_NAME: name });
  assert.match(sql, /^DO \$csi2\$$/m);
  await pg.psql(sql, db);
  await pg.psql(sql, db);
  assert.deepEqual(await pg.query(`SELECT name FROM signalwire_phone_numbers`, [], db), [{ name }]);
});

test('the README example through the built CLI and psql leaves stt_model alone', async () => {
  const { runCli } = await import('../helpers/cli.ts');
  const db = await pg.createDatabase();
  await pg.psql(renderSchema(), db);
  const first = await runCli(['sql', '--number', NUMBER, '--stt-model', 'nova-3']);
  assert.equal(first.code, 0, first.stderr);
  await pg.psql(first.stdout, db);
  const readme = await runCli(['sql', '--number', '(424) 485-1544', '--tts-voice', 'Rachel']);
  assert.equal(readme.code, 0, readme.stderr);
  assert.doesNotMatch(readme.stdout, /stt_model =/, 'the UPDATE does not name stt_model');
  await pg.psql(readme.stdout, db);
  assert.deepEqual(await pg.query(`SELECT stt_model, tts_voice FROM signalwire_phone_numbers`, [], db), [{ stt_model: 'nova-3', tts_voice: 'Rachel' }]);
});

test('schema.sql grants both tables to service_role, enables RLS, and a table created before keeps its data and gains both', async () => {
  const db = await pg.createDatabase();
  await pg.psql(OLD_TABLE_NO_UNIQUE + `INSERT INTO signalwire_phone_numbers (number) VALUES ('${NUMBER}');`, db);
  await pg.psql(renderSchema(), db);
  await pg.psql(renderSchema(), db);
  const privileges = await pg.query(
    `SELECT t, p FROM unnest(array['signalwire_phone_numbers', 'interactions']) t, unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
      WHERE NOT has_table_privilege('service_role', t, p)`, [], db);
  assert.deepEqual(privileges, [], 'service_role may do everything the wizard and the agent do');
  assert.deepEqual(await pg.query(`SELECT has_sequence_privilege('service_role', 'signalwire_phone_numbers_id_seq', 'USAGE') AS ok`, [], db), [{ ok: true }]);
  assert.deepEqual(await pg.query(`SELECT has_table_privilege('anon', 'signalwire_phone_numbers', 'SELECT') AS ok`, [], db), [{ ok: false }]);
  assert.deepEqual(await pg.query(`SELECT bool_and(relrowsecurity) AS on FROM pg_class WHERE relname IN ('signalwire_phone_numbers', 'interactions')`, [], db), [{ on: true }]);
  assert.equal((await pg.query(`SELECT count(*)::int AS n FROM signalwire_phone_numbers`, [], db))[0]!.n, 1);
});
