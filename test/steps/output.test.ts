// The ending's --no-db SQL: rendered from the given values only, so pasting it into the SQL editor updates
// what was given and never resets a column to a default. Run on a real Postgres as the SQL editor would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSchema } from '../../src/render/sql.ts';
import { showOutput } from '../../src/steps/output.ts';
import { set } from '../../src/steps/session.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { session } from './helpers.ts';

const NUMBER = '+14244851544';
let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

async function captured(run: () => Promise<void>): Promise<string> {
  const write = process.stdout.write;
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

test('--no-db: the printed SQL sets only the given values; the row keeps the rest', async () => {
  const s = session(
    {
      PHONE_NUMBER: NUMBER,
      LIVEKIT_SIP_DOMAIN: 'abc123.sip.livekit.cloud',
      // Credentials: the SWML is hosted by SignalWire, so nothing else is printed or saved.
      SIGNALWIRE_SPACE_URL: 'https://example.signalwire.com',
      SIGNALWIRE_PROJECT_ID: 'fake-project',
      SIGNALWIRE_API_TOKEN: 'PTfake',
    },
    { options: { 'no-db': true } },
  );
  set(s, 'TTS_VOICE', 'Adam', 'flag');
  set(s, 'STT_MODEL', 'nova-2', 'default');
  set(s, 'PHONE_STATUS', 'active', 'default');
  const text = await captured(() => showOutput(s));
  const sql = text.slice(text.indexOf('DO $'), text.lastIndexOf('$;') + 2);
  assert.match(sql, /SET number = '\+14244851544',\s+tts_voice = 'Adam'\s+WHERE/);
  assert.doesNotMatch(sql.slice(0, sql.indexOf('INSERT')), /stt_model/, 'no default in the UPDATE');

  const db = await pg.createDatabase();
  await pg.psql(renderSchema(), db);
  await pg.psql(`INSERT INTO signalwire_phone_numbers (number, status, stt_model, tts_voice) VALUES ('${NUMBER}', 'inactive', 'nova-3', 'Rachel');`, db);
  await pg.psql(sql, db);
  const rows = await pg.query<{ stt_model: string; tts_voice: string; status: string }>('SELECT stt_model, tts_voice, status FROM signalwire_phone_numbers', [], db);
  assert.deepEqual(rows, [{ stt_model: 'nova-3', tts_voice: 'Adam', status: 'inactive' }]);

  // No row yet: the same SQL inserts one with the defaults filled in.
  const fresh = await pg.createDatabase();
  await pg.psql(renderSchema(), fresh);
  await pg.psql(sql, fresh);
  const made = await pg.query<{ stt_model: string; tts_voice: string }>('SELECT stt_model, tts_voice FROM signalwire_phone_numbers', [], fresh);
  assert.equal(made.length, 1);
  assert.equal(made[0]!.tts_voice, 'Adam');
  assert.ok(made[0]!.stt_model, 'a default fills a new row');
});
