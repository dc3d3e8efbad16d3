// What the person typed or chose is kept: a skipped provider key stays skipped on a rerun, a number added
// back is active again (and the next-time line never says --status inactive), the status offers only the
// values the agent understands, and a swapped SignalWire project ID and token are spotted at the prompt.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSchema } from '../../src/render/sql.ts';
import { mergeEnv } from '../../src/render/env.ts';
import { check } from '../../src/validate.ts';
import { setting } from '../../src/settings.ts';
import { askNumber } from '../../src/steps/number.ts';
import { envUpdates } from '../../src/steps/plan.ts';
import { nextTimeCommand } from '../../src/steps/summary.ts';
import { askSignalWire } from '../../src/steps/signalwire.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startSignalWire } from '../stand-ins/signalwire.ts';
import { rig } from '../supabase/helpers.ts';
import { NUMBER } from '../fixtures.ts';
import { script, session } from './helpers.ts';
import { parse } from 'dotenv';

let pg: Postgres;
before(async () => {
  pg = await startPostgres();
  process.chdir(mkdtempSync(join(tmpdir(), 'csi-kept-')));
});
after(async () => pg?.stop());

/** Enter at every per-number prompt (providers deepgram / elevenlabs / openai by default). */
const DEFAULTS: Array<[string, string]> = [
  ['Name for this number', ''],
  ['Status', ''],
  ['Speech-to-text provider', ''],
  ['Speech-to-text model', ''],
  ['Text-to-speech provider', ''],
  ['Voice', ''],
  ['LLM provider', ''],
  ['LLM model', ''],
];

test('a provider key left empty is written as an empty line; the next run does not ask for it again, and says why it is unset', async () => {
  const first = session({ PHONE_NUMBER: NUMBER }, { options: { 'no-db': true } });
  const run = script([
    ...DEFAULTS,
    ['Deepgram API key', ''],
    ['ElevenLabs API key', 'el-key-not-real-0001'],
    ['OpenAI API key', ''],
  ]);
  await askNumber(first);
  run.done();
  const updates = envUpdates(first);
  assert.equal(updates.DEEPGRAM_API_KEY, '');
  assert.equal(updates.OPENAI_API_KEY, '');
  assert.equal(updates.ELEVENLABS_API_KEY, 'el-key-not-real-0001');
  const { text } = mergeEnv('', updates, { file: '.env' });
  assert.equal(parse(text).DEEPGRAM_API_KEY, '', 'dotenv reads the skipped key as empty');

  // The rerun: .env as written; only the number's prompts, no provider key asked.
  const again = session({ PHONE_NUMBER: NUMBER, ELEVENLABS_API_KEY: 'el-key-not-real-0001' }, { options: { 'no-db': true }, envFileText: text, envFileExists: true });
  const rerun = script(DEFAULTS);
  await askNumber(again);
  rerun.done();
  assert.ok(again.notes.includes('DEEPGRAM_API_KEY is not set (left empty in /nonexistent/.env): the agent needs it for the provider you chose.'), again.notes.join('\n'));
  assert.equal(envUpdates(again).DEEPGRAM_API_KEY, undefined, 'the empty line is left as it is');
});

test('the status is a select of active and inactive only; --status paused is refused in one line', async () => {
  const s = session({ PHONE_NUMBER: NUMBER, DEEPGRAM_API_KEY: 'dg', ELEVENLABS_API_KEY: 'el', OPENAI_API_KEY: 'oa' }, { options: { 'no-db': true } });
  const run = script(DEFAULTS);
  await askNumber(s);
  run.done();
  const status = run.asked.find((a) => a.message === 'Status')!;
  assert.deepEqual(status.options!.map((o) => o.value), ['active', 'inactive']);
  const r = check(setting('PHONE_STATUS'), 'paused');
  assert.deepEqual(r, { ok: false, problem: '"paused" is not active or inactive' });
});

test('a number added back after `remove` (its row inactive) becomes active; the next-time line has no --status', async (t) => {
  const db = await rig(t, pg, renderSchema());
  await pg.query(`INSERT INTO signalwire_phone_numbers (number, status, tts_voice) VALUES ($1, 'inactive', 'Adam')`, [NUMBER], db.db);
  const values = { PHONE_NUMBER: NUMBER, SUPABASE_URL: db.conn.url, SUPABASE_SERVICE_ROLE_KEY: db.conn.serviceKey };
  const keys = { DEEPGRAM_API_KEY: 'dg', ELEVENLABS_API_KEY: 'el', OPENAI_API_KEY: 'oa' };

  const added = session({ ...values, ...keys }, { interactive: false, yes: true });
  added.mode = 'add';
  await askNumber(added);
  assert.equal(added.values.PHONE_STATUS, 'active');
  assert.equal(added.values.TTS_VOICE, 'Adam', "the row's other values are kept");
  assert.doesNotMatch(nextTimeCommand(added), /--status/);

  // Updating a number still on the trunk keeps the status its row holds, and does not repeat it either.
  const updated = session({ ...values, ...keys }, { interactive: false, yes: true });
  updated.mode = 'update';
  await askNumber(updated);
  assert.equal(updated.values.PHONE_STATUS, 'inactive');
  assert.doesNotMatch(nextTimeCommand(updated), /--status/);
});

test('a SignalWire token typed as the project ID, or the project ID as the token, is refused at the prompt in one line', async (t) => {
  const sw = await startSignalWire();
  t.after(() => sw.stop());
  sw.addNumber(NUMBER);
  const s = session({ PHONE_NUMBER: NUMBER, SIGNALWIRE_SPACE_URL: sw.url });
  let projectProblem: string | undefined;
  let tokenProblem: string | undefined;
  const run = script([
    ['Point the number at the SWML automatically?', true],
    ['SignalWire project ID', (p) => ((projectProblem = p.validate!(sw.apiToken)), sw.projectId)],
    ['SignalWire API token', (p) => ((tokenProblem = p.validate!(sw.projectId)), sw.apiToken)],
  ]);
  await askSignalWire(s);
  run.done();
  assert.equal(projectProblem, 'this is an API token (it starts with PT), not the project ID (a UUID): the SignalWire project ID and API token look swapped?');
  assert.equal(tokenProblem, 'this is a project ID (a UUID), not the API token (it starts with PT): the SignalWire project ID and API token look swapped?');
  assert.equal(s.values.SIGNALWIRE_PROJECT_ID, sw.projectId);
});
