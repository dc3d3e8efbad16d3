// A rerun changes only what is given: defaults never replace what the row holds, updated_at moves, the
// plan shows old → new; a key of the wrong kind is refused before anything is written; .env keeps the
// name it already uses for the key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { withDefaults } from '../../src/config.ts';
import { testContext } from '../helpers/context.ts';
import { renderNumberSql, renderSchema } from '../../src/render/sql.ts';
import { readNumberRow } from '../../src/services/supabase.ts';
import { planNumberRow, shownValue } from '../../src/services/supabase-row.ts';
import type { Values } from '../../src/settings.ts';
import { envUpdates } from '../../src/steps/plan.ts';
import { createSession } from '../../src/steps/session.ts';
import { runCli } from '../helpers/cli.ts';
import { KEY, startPty } from '../helpers/pty.ts';
import { startWorld } from '../helpers/world.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { OLD_TABLE } from '../fixtures.ts';
import { fakeJwt, NUMBER, rig } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const tmp = () => mkdtempSync(join(tmpdir(), 'csi-rerun-'));
/** The row as a person registered it earlier: a name, and a model that is not the default. */
const PROJ_LINE = renderNumberSql({ PHONE_NUMBER: NUMBER, PHONE_NAME: 'Proj line', STT_MODEL: 'nova-3' });

test('defaults fill a new row and empty columns, never a value the row holds; the plan shows old → new', async (t) => {
  const r = await rig(t, pg, renderSchema() + `INSERT INTO signalwire_phone_numbers (number, name, stt_model, tts_voice) VALUES ('${NUMBER}', 'Proj line', 'nova-3', 'Rachel');`);
  await pg.query(`UPDATE signalwire_phone_numbers SET updated_at = '2020-01-01'`, [], r.db);
  const defaults = withDefaults({});
  const row = await readNumberRow(r.conn, NUMBER);
  assert.equal(row?.hasUpdatedAt, true);

  const changes = planNumberRow(r.conn, { PHONE_NUMBER: NUMBER, TTS_VOICE: 'Adam' }, row, defaults);
  // name and stt_model stay; tts_voice changes; the columns the row left empty get the defaults.
  assert.equal(
    changes[0]!.summary,
    `database: update stt_provider, tts_provider, tts_voice, llm_provider, llm_model for ${NUMBER}: ` +
      'stt_provider (empty) → "deepgram"; tts_provider (empty) → "elevenlabs"; ' +
      'tts_voice "Rachel" → "Adam"; llm_provider (empty) → "openai"; llm_model (empty) → "gpt-5"',
  );
  await changes[0]!.apply();
  const [after1] = await r.rows('name, stt_model, tts_voice, llm_model, updated_at > now() - interval \'1 minute\' AS bumped');
  assert.deepEqual(after1, { name: 'Proj line', stt_model: 'nova-3', tts_voice: 'Adam', llm_model: 'gpt-5', bumped: true });

  // Given again with nothing new, and only defaults besides: nothing to do.
  assert.deepEqual(planNumberRow(r.conn, { PHONE_NUMBER: NUMBER }, await readNumberRow(r.conn, NUMBER), defaults), []);
});

test('a table without updated_at is updated all the same', async (t) => {
  const r = await rig(t, pg, OLD_TABLE + `INSERT INTO signalwire_phone_numbers (number, name) VALUES ('${NUMBER}', 'Proj line');`);
  const row = await readNumberRow(r.conn, NUMBER);
  assert.equal(row?.hasUpdatedAt, false);
  const changes = planNumberRow(r.conn, { PHONE_NUMBER: NUMBER, TTS_VOICE: 'Adam' }, row);
  await changes[0]!.apply();
  assert.deepEqual(await r.rows('name, tts_voice'), [{ name: 'Proj line', tts_voice: 'Adam' }]);
});

test('plan values: control and direction characters escaped, long values shortened, secrets masked', () => {
  assert.equal(shownValue('PHONE_NAME', 'a\x1b[31mred\x07\r\nx'), '"a\\u001b[31mred\\u0007\\r\\nx"');
  assert.equal(shownValue('PHONE_NAME', 'evil\u202Eeman\u0085'), '"evil\\u202eeman\\u0085"');
  assert.equal(shownValue('PHONE_NAME', ''), '(empty)');
  assert.equal(shownValue('PHONE_NAME', 'x'.repeat(100)), `"${'x'.repeat(59)}…"`);
  assert.equal(shownValue('DEEPGRAM_API_KEY', 'dg-key-not-real-0099'), 'dg-…99');
});

test('a rerun after a rejected key keeps the row\'s name "Proj line" and its stt_model', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg, schema: renderSchema() + PROJ_LINE });
  after(() => w.stop());
  const cwd = tmp();
  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0020' };

  // The anon key: refused by its shape, before any request and before anything is written.
  const anon = await fakeJwt('anon');
  const refused = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env: { ...env, SUPABASE_SERVICE_ROLE_KEY: anon } });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /SUPABASE_SERVICE_ROLE_KEY is the anon key \(a JWT with role "anon"\), which cannot write the table/);
  assert.equal(refused.stderr.trim().split('\n').length, 1);
  assert.ok(!refused.stderr.includes(anon));
  assert.ok(!existsSync(join(cwd, '.env')), '.env not written');
  assert.equal(w.livekit.trunks.size, 0, 'no trunk');
  assert.equal(w.rest.requests.length, 0, 'the anon key was never sent');

  // The right key: the row keeps what it holds.
  const ok = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env });
  assert.equal(ok.code, 0, ok.stderr);
  const rows = await w.rows();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.name, 'Proj line');
  assert.equal(rows[0]!.stt_model, 'nova-3');
  assert.doesNotMatch(ok.stdout, /database:/, 'nothing to change in the row');
  assert.equal(parse(readFileSync(join(cwd, '.env'))).SUPABASE_SERVICE_ROLE_KEY, w.rest.serviceKey);
});

test('a publishable key typed at the prompt is named as typed and only it is asked again; the right one goes on', { timeout: 60_000 }, async (t) => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = tmp();
  const { SUPABASE_SERVICE_ROLE_KEY: _, ...env } = w.env;
  const p = startPty(['--number', NUMBER], { cwd, env: { ...env, AGENT_NAME: 'inbound-agent' } });
  t.after(() => p.kill()); // a failed wait must not leave the program running
  await p.waitFor('Supabase service role key', { timeoutMs: 15_000 });
  p.write('sb_publishable_typed_by_mistake' + KEY.enter);
  await p.waitFor(/The Supabase service role key you typed is a publishable key \(sb_publishable_…\), which cannot write the table/);
  // Only the key is asked again: the URL is kept.
  await p.waitFor(/◆  Supabase service role key/);
  p.write(w.rest.serviceKey + KEY.enter);
  await p.waitFor('Checking the Supabase key: ok', { timeoutMs: 15_000 });
  await p.waitFor(/Phone number callers dial|Name for this number/);
  p.write(KEY.ctrlC);
  assert.equal(await p.exited, 130);
  assert.ok(!p.transcript().includes(w.rest.serviceKey));
  assert.ok(!existsSync(join(cwd, '.env')));
  assert.ok(w.rest.requests.every((r) => r.role === 'service_role'), 'only the service key reached Supabase');
});

/** A session over a .env text, with the Supabase key given at the prompt. */
function sessionFor(envFileText: string) {
  const ctx = testContext({ envFileText, envFileExists: envFileText !== '' });
  const s = createSession(ctx);
  const values: Values = { SUPABASE_URL: 'https://abc.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_new_not_real' };
  Object.assign(s.values, values);
  s.origin.SUPABASE_URL = 'prompt';
  s.origin.SUPABASE_SERVICE_ROLE_KEY = 'prompt';
  return s;
}

test('.env keeps the name it uses for the key; a file with neither name gets both', () => {
  assert.deepEqual(envUpdates(sessionFor('')), {
    SUPABASE_URL: 'https://abc.supabase.co',
    SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_new_not_real',
    SUPABASE_SERVICE_KEY: 'sb_secret_new_not_real',
  });
  assert.deepEqual(envUpdates(sessionFor('OTHER=1\n')).SUPABASE_SERVICE_KEY, 'sb_secret_new_not_real');
  const guide = envUpdates(sessionFor('SUPABASE_SERVICE_KEY=old\n'));
  assert.equal(guide.SUPABASE_SERVICE_KEY, 'sb_secret_new_not_real');
  assert.ok(!('SUPABASE_SERVICE_ROLE_KEY' in guide));
  const official = envUpdates(sessionFor('SUPABASE_SERVICE_ROLE_KEY=old\n'));
  assert.equal(official.SUPABASE_SERVICE_ROLE_KEY, 'sb_secret_new_not_real');
  assert.ok(!('SUPABASE_SERVICE_KEY' in official));
  // Both present: both updated, so they never disagree.
  const both = envUpdates(sessionFor('SUPABASE_SERVICE_KEY=old\nSUPABASE_SERVICE_ROLE_KEY=old\n'));
  assert.equal(both.SUPABASE_SERVICE_KEY, 'sb_secret_new_not_real');
  assert.equal(both.SUPABASE_SERVICE_ROLE_KEY, 'sb_secret_new_not_real');
});

test('the setup writes a new .env with both key names; a rerun on a guide-style .env keeps its one name', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const fresh = tmp();
  const env: Record<string, string> = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0021' };
  assert.equal((await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd: fresh, env })).code, 0);
  const written = parse(readFileSync(join(fresh, '.env')));
  assert.equal(written.SUPABASE_SERVICE_ROLE_KEY, w.rest.serviceKey);
  assert.equal(written.SUPABASE_SERVICE_KEY, w.rest.serviceKey);

  const guide = tmp();
  const { SUPABASE_SERVICE_ROLE_KEY: key, ...rest } = env;
  writeFileSync(join(guide, '.env'), `SUPABASE_SERVICE_KEY=${key}\n`);
  const r = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd: guide, env: rest });
  assert.equal(r.code, 0, r.stderr);
  const kept = parse(readFileSync(join(guide, '.env')));
  assert.equal(kept.SUPABASE_SERVICE_KEY, key);
  assert.ok(!('SUPABASE_SERVICE_ROLE_KEY' in kept), 'no second name added to a file that has one');
});
