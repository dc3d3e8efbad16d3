// The SQL the person pastes, run through the real psql on a real PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER_COLUMNS, renderNumberSql, renderSchema, sqlLiteral } from '../../src/render/sql.ts';
import { withDefaults } from '../../src/config.ts';

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

const OLD_TABLE_NO_UNIQUE = `CREATE TABLE signalwire_phone_numbers (
  id serial PRIMARY KEY, number text, name text, status text, stt_provider text, stt_model text,
  tts_provider text, tts_voice text, llm_provider text, llm_model text);`;

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
    const values = withDefaults({ PHONE_NUMBER: '+14244851544', PHONE_NAME: HOSTILE[0], TTS_VOICE: HOSTILE.slice(1).join('|') });
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
  await pg.psql(OLD_TABLE_NO_UNIQUE + `INSERT INTO signalwire_phone_numbers (number, name) VALUES ('4244851544', 'old'), ('+15550001111', 'other');`, db);
  await pg.psql(renderNumberSql({ PHONE_NUMBER: '+14244851544', PHONE_NAME: 'new' }), db);
  const rows = await pg.query(`SELECT number, name FROM signalwire_phone_numbers ORDER BY number`, [], db);
  assert.deepEqual(rows, [{ number: '+14244851544', name: 'new' }, { number: '+15550001111', name: 'other' }]);
});

test('schema.sql creates both tables, runs twice, and upgrades an older table', async () => {
  const db = await pg.createDatabase();
  await pg.psql(`CREATE TABLE signalwire_phone_numbers (id serial PRIMARY KEY, number text, name text);
    INSERT INTO signalwire_phone_numbers (number, name) VALUES ('+14244851544', 'kept');`, db);
  await pg.psql(renderSchema(), db);
  await pg.psql(renderSchema(), db);
  const cols = await pg.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = 'signalwire_phone_numbers'`, [], db);
  for (const [, c] of NUMBER_COLUMNS) assert.ok(cols.some((r) => r.column_name === c), `column ${c} added`);
  assert.deepEqual(await pg.query(`SELECT name FROM signalwire_phone_numbers`, [], db), [{ name: 'kept' }]);
  // The unique index now exists, so a duplicate is refused.
  await assert.rejects(pg.psql(`INSERT INTO signalwire_phone_numbers (number) VALUES ('+14244851544');`, db), /duplicate key/);
  assert.equal((await pg.query(`SELECT to_regclass('interactions') AS t`, [], db))[0]!.t, 'interactions');
});

test('schema.sql has an ADD COLUMN IF NOT EXISTS for every column the wizard writes', () => {
  const schema = renderSchema();
  for (const [, c] of NUMBER_COLUMNS.filter(([, c]) => c !== 'number'))
    assert.match(schema, new RegExp(`ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS ${c} `), c);
});
