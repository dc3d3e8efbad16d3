// The guided setup, end to end, by keystrokes in a real pseudo-terminal against the stand-ins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { KEY, startPty, type Session } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { oldTableWithout, SECOND_NUMBER, UNRELATED_NUMBER } from '../fixtures.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const tmp = () => mkdtempSync(join(tmpdir(), 'csi-e2e-'));

/** Answers prompts in order: wait for each text on screen, then type. */
async function drive(p: Session, steps: Array<[string | RegExp, string]>) {
  for (const [wait, keys] of steps) {
    await p.waitFor(wait, { timeoutMs: 15_000 });
    p.write(keys);
  }
}

/** No secret value may appear on any screen the person saw. */
function assertNoSecrets(p: Session, secrets: Array<string | undefined>) {
  const seen = p.transcript();
  for (const s of secrets) if (s) assert.ok(!seen.includes(s), `a secret appeared on screen: ${s.slice(0, 4)}…`);
}

function secretsOf(w: World, cwd: string) {
  const env = existsSync(join(cwd, '.env')) ? parse(readFileSync(join(cwd, '.env'))) : {};
  return [w.livekit.apiSecret, w.rest.serviceKey, env.LIVEKIT_SIP_PASSWORD, env.DEEPGRAM_API_KEY];
}

/** Enter at every per-number prompt after the name: status, providers, models, voice. */
const KEEP_NUMBER_DEFAULTS: Array<[string, string]> = [
  ['Status', KEY.enter],
  ['Speech-to-text provider', KEY.enter],
  ['Speech-to-text model', KEY.enter],
  ['Text-to-speech provider', KEY.enter],
  ['◆  Voice', KEY.enter],
  ['LLM provider', KEY.enter],
  ['LLM model', KEY.enter],
];

const FIRST_RUN = (w: World): Array<[string | RegExp, string]> => [
  ['LiveKit URL', w.env.LIVEKIT_URL + KEY.enter],
  ['LiveKit API key', w.env.LIVEKIT_API_KEY + KEY.enter],
  ['LiveKit API secret', w.env.LIVEKIT_API_SECRET + KEY.enter],
  ['LiveKit SIP domain', w.env.LIVEKIT_SIP_DOMAIN + KEY.enter],
  ['Agent name', 'inbound-agent' + KEY.enter],
  ['Supabase URL', w.env.SUPABASE_URL + KEY.enter],
  ['Supabase service role key', w.env.SUPABASE_SERVICE_ROLE_KEY + KEY.enter],
  ['Phone number callers dial', '(424) 485-1544' + KEY.enter],
  ['Name for this number', 'Sales line' + KEY.enter],
  ...KEEP_NUMBER_DEFAULTS,
  ['Deepgram API key', 'dg-key-not-real-0001' + KEY.enter],
  ['ElevenLabs API key', KEY.enter],
  ['OpenAI API key', KEY.enter],
  ['Carrier of the number', KEY.enter], // SignalWire, the first of the registry
  ['Point the number at the SWML automatically', KEY.enter],
  ['Apply these changes?', KEY.enter],
  ['Show it with the password, to copy?', KEY.enter], // No by default
  ['Copy the SWML to the clipboard?', 'n'],
  ['Call the number now to watch a real call come through?', KEY.enter],
];

test('a fresh setup, then a rerun that changes only the TTS voice', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  w.livekit.registerWorker('inbound-agent');
  const cwd = tmp();

  // First run: every answer typed.
  const first = startPty(['--agent', 'none'], { cwd });
  await drive(first, FIRST_RUN(w));
  assert.equal(await first.exited, 0, first.screen());
  const screen = first.screen();
  // No document that fails when pasted: not the masked one; the saved file and a command that copies it.
  assert.doesNotMatch(screen, /"password"/);
  assert.match(screen, /Saved to signalwire-swml\.json/);
  assert.match(screen, /Copy it with: (cat|xclip -selection clipboard <|wl-copy <) signalwire-swml\.json/);
  // Without SignalWire credentials that leg is not proven, and the check says so.
  assert.doesNotMatch(screen, /Every hop passed/);
  assert.match(screen, /Every hop that ran passed; not checked: SignalWire number runs our SWML/);
  assertNoSecrets(first, secretsOf(w, cwd));

  const envPath = join(cwd, '.env');
  assert.equal(statSync(envPath).mode & 0o777, 0o600);
  const env = parse(readFileSync(envPath));
  assert.equal(env.LIVEKIT_URL, w.env.LIVEKIT_URL);
  assert.equal(env.LIVEKIT_API_SECRET, w.livekit.apiSecret);
  assert.equal(env.AGENT_NAME, 'inbound-agent');
  assert.equal(env.ELEVENLABS_API_KEY, '', 'a skipped provider key is an empty line');
  assert.match(env.LIVEKIT_SIP_USERNAME!, /^sip-/);
  assert.ok(env.LIVEKIT_SIP_PASSWORD!.length >= 24);
  const trunks = [...w.livekit.trunks.values()];
  assert.equal(trunks.length, 1);
  assert.deepEqual(trunks[0]!.numbers, [NUMBER]);
  assert.equal(trunks[0]!.authUsername, env.LIVEKIT_SIP_USERNAME);
  const rules = [...w.livekit.rules.values()];
  assert.equal(rules.length, 1);
  assert.deepEqual(rules[0]!.trunkIds, [trunks[0]!.sipTrunkId]);
  assert.equal(rules[0]!.roomConfig?.agents[0]?.agentName, 'inbound-agent');
  const rows = await w.rows();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.number, NUMBER);
  assert.equal(rows[0]!.tts_voice, 'Rachel');
  const swml = JSON.parse(readFileSync(join(cwd, 'signalwire-swml.json'), 'utf8'));
  assert.equal(swml.sections.main[0].connect.password, env.LIVEKIT_SIP_PASSWORD, 'the saved SWML carries the real password');
  const envBefore = readFileSync(envPath, 'utf8');

  // Rerun: everything prefilled; only the voice changes.
  const writesBefore = w.livekit.requests.length;
  const again = startPty(['--agent', 'none'], { cwd });
  await drive(again, [
    ['Update a number, add a number, or change credentials?', KEY.enter],
    ['Name for this number', KEY.enter],
    ['Status', KEY.enter],
    ['Speech-to-text provider', KEY.enter],
    ['Speech-to-text model', KEY.enter],
    ['Text-to-speech provider', KEY.enter],
    ['◆  Voice', KEY.down + KEY.enter], // Rachel → Adam
    ['LLM provider', KEY.enter],
    ['LLM model', KEY.enter],
  ]);
  // The provider keys skipped on the first run are not asked again (their empty lines in .env say so).
  await again.waitFor('Apply these changes?');
  assert.doesNotMatch(again.transcript(), /ElevenLabs API key|OpenAI API key/);
  const plan = again.screen();
  assert.match(plan, /The plan \(1 change\):\n  • database: update tts_voice for \+14244851544/);
  again.write(KEY.enter);
  await drive(again, [
    ['Show it with the password, to copy?', 'y'],
    ['Copy the SWML to the clipboard?', 'n'],
    ['Call the number now to watch a real call come through?', KEY.enter],
  ]);
  assert.equal(await again.exited, 0, again.screen());
  // Asked for, the document on screen is the real one: pasted, it authenticates.
  const shown = /\{\n {2}"version"[\s\S]*?\n\}/.exec(again.screen())?.[0];
  assert.ok(shown, again.screen());
  assert.deepEqual(JSON.parse(shown), JSON.parse(readFileSync(join(cwd, 'signalwire-swml.json'), 'utf8')));
  assert.equal(JSON.parse(shown).sections.main[0].connect.password, parse(readFileSync(envPath)).LIVEKIT_SIP_PASSWORD);
  assertNoSecrets(again, secretsOf(w, cwd).filter((x) => x !== parse(readFileSync(envPath)).LIVEKIT_SIP_PASSWORD));
  const after2 = await w.rows();
  assert.equal(after2.length, 1);
  assert.equal(after2[0]!.tts_voice, 'Adam');
  assert.equal(after2[0]!.name, 'Sales line');
  assert.equal(readFileSync(envPath, 'utf8'), envBefore, '.env untouched');
  const lkWrites = w.livekit.requests.slice(writesBefore).filter((r) => !/^(List|Get)/.test(r.rpc) && r.service === 'SIP');
  assert.deepEqual(lkWrites, [], 'no LiveKit write on the rerun');
});

test('Ctrl-C at the third prompt changes nothing and leaves the terminal clean', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = tmp();
  writeFileSync(join(cwd, 'keep.txt'), 'x');
  const p = startPty(['--agent', 'none'], { cwd });
  await drive(p, [
    ['LiveKit URL', w.env.LIVEKIT_URL + KEY.enter],
    ['LiveKit API key', w.env.LIVEKIT_API_KEY + KEY.enter],
    ['LiveKit API secret', 'half-typed'],
  ]);
  p.write(KEY.ctrlC);
  assert.equal(await p.exited, 130);
  assert.match(p.screen(), /Cancelled/);
  assert.ok(!existsSync(join(cwd, '.env')), 'no .env written');
  assert.equal(w.livekit.trunks.size, 0);
  assert.equal(w.livekit.rules.size, 0);
  assert.equal((await w.rows()).length, 0);
  // The cursor is shown again after the last prompt hid it.
  const raw = p.raw();
  assert.ok(raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'), 'cursor restored');
});

test('--yes with every value in the environment completes without a prompt', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  w.livekit.registerWorker('inbound-agent');
  const cwd = tmp();
  const p = startPty(['--yes', '--number', '4244851544', '--tts-voice', 'Adam'], {
    cwd,
    env: { ...w.env, AGENT_NAME: 'inbound-agent', DEEPGRAM_API_KEY: 'dg-key-not-real-0002' },
  });
  assert.equal(await p.exited, 0, p.screen());
  assert.ok(!p.transcript().includes('◆'), `a prompt was shown:\n${p.screen()}`);
  // The command is on its own line(s), pasteable: a long one continues with " \".
  assert.match(p.screen().replace(/ \\\n\s*/g, ' ').replace(/\n/g, ''), /To skip the prompts next time:\s+node \S*bin\/create-sip-inbound\.js --yes --number \+14244851544 --tts-voice Adam/);
  assert.equal(w.livekit.trunks.size, 1);
  assert.equal((await w.rows())[0]!.tts_voice, 'Adam');
  assert.equal(statSync(join(cwd, '.env')).mode & 0o777, 0o600);
  assertNoSecrets(p, secretsOf(w, cwd));
});

test('--no-interactive with one value missing exits 2 naming it, touching nothing', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = tmp();
  const { LIVEKIT_SIP_DOMAIN: _, ...env } = w.env;
  const r = await runCli(['--no-interactive', '--number', NUMBER], { cwd, env });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /Missing .*--livekit-sip-domain \(LIVEKIT_SIP_DOMAIN\)/);
  assert.doesNotMatch(r.stderr, /--livekit-url/);
  assert.ok(!existsSync(join(cwd, '.env')));
  assert.equal(w.livekit.requests.length, 0);
});

test('a revoked key or a LiveKit failure ends in one line, .env intact', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = tmp();
  const original = '# mine\r\nexport LIVEKIT_URL=' + w.env.LIVEKIT_URL + '\r\nOTHER="x y"\r\n';
  writeFileSync(join(cwd, '.env'), original);
  const bad = await runCli(['--yes', '--number', NUMBER], { cwd, env: { ...w.env, LIVEKIT_API_SECRET: 'wrong-secret-value' } });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^✖ LiveKit at .* rejected the API secret of key \S+: check LIVEKIT_API_SECRET\n$/);
  assert.ok(!bad.stderr.includes('wrong-secret-value'));

  w.livekit.fault({ status: 500 });
  const down = await runCli(['--yes', '--number', NUMBER], { cwd, env: w.env });
  assert.equal(down.code, 1, down.stderr);
  assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
  assert.match(down.stderr, /LiveKit/);
  assert.equal(readFileSync(join(cwd, '.env'), 'utf8'), original);
});

test('--dry-run shows the plan and changes nothing; --json prints the result without secrets', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = tmp();
  const dry = await runCli(['--dry-run', '--yes', '--number', NUMBER, '--no-check'], { cwd, env: w.env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /LiveKit trunk "create-sip-inbound": create with \+14244851544/);
  assert.match(dry.stdout, /database: add \+14244851544/);
  assert.ok(!existsSync(join(cwd, '.env')));
  assert.equal(w.livekit.trunks.size, 0);
  assert.equal((await w.rows()).length, 0);

  const json = await runCli(['--json', '--number', NUMBER, '--no-check'], { cwd, env: w.env });
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.equal(result.ok, true);
  assert.equal(result.number, NUMBER);
  assert.ok(result.changes.some((c: string) => c.startsWith('database: add')));
  for (const secret of secretsOf(w, cwd)) if (secret) assert.ok(!json.stdout.includes(secret) && !json.stderr.includes(secret));
});

test('a rerun that adds a second number puts it on the same trunk, and SignalWire is pointed automatically', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg, signalwire: true });
  after(() => w.stop());
  w.livekit.registerWorker('inbound-agent');
  w.signalwire!.addNumber(SECOND_NUMBER);
  const cwd = tmp();
  const env = { ...w.env, AGENT_NAME: 'inbound-agent', DEEPGRAM_API_KEY: 'dg-key-not-real-0003', ELEVENLABS_API_KEY: 'el-key-not-real-0003', OPENAI_API_KEY: 'oa-key-not-real-0003' };
  const first = await runCli(['--yes', '--number', NUMBER], { cwd, env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /SignalWire: create SWML script "create-sip-inbound \+14244851544"/);
  assert.match(first.stdout, /✓ SignalWire number runs our SWML/);

  // The rerun reads everything from .env; the person only adds the number.
  const p = startPty(['--agent', 'none'], { cwd });
  await drive(p, [
    ['Update a number, add a number, or change credentials?', KEY.down + KEY.enter],
    ['Phone number callers dial', '415 555 0123' + KEY.enter],
    ['Name for this number', 'Support' + KEY.enter],
    ...KEEP_NUMBER_DEFAULTS,
    ['Carrier of the number (from the SignalWire credentials given)', KEY.enter], // a new number may be on another carrier
  ]);
  await p.waitFor('Apply these changes?');
  const plan = p.screen();
  assert.match(plan, /LiveKit trunk "create-sip-inbound": add \+14155550123/);
  assert.match(plan, /SignalWire \+14155550123: point at SWML script/);
  assert.match(plan, /database: add \+14155550123/);
  assert.doesNotMatch(plan, /dispatch rule/, 'the rule already covers the trunk');
  assert.match(plan, /\.env: add 1 setting\n +add CARRIER "signalwire"\n/, 'only the carrier, now chosen, is new for .env');
  p.write(KEY.enter);
  await drive(p, [['Prove it with a call now?', KEY.enter]]);
  assert.equal(await p.exited, 0, p.screen());
  assertNoSecrets(p, [...secretsOf(w, cwd), w.signalwire!.apiToken]);
  const trunks = [...w.livekit.trunks.values()];
  assert.equal(trunks.length, 1);
  assert.deepEqual([...trunks[0]!.numbers].sort(), [SECOND_NUMBER, NUMBER]);
  assert.equal(w.livekit.rules.size, 1);
  assert.deepEqual((await w.rows()).map((r) => r.number), [SECOND_NUMBER, NUMBER]);
  const n = [...w.signalwire!.numbers.values()].find((x) => x.number === SECOND_NUMBER)!;
  assert.equal(n.call_handler, 'relay_script');
});

test('a table missing a column: the setup shows the ALTER line, waits, and finishes once it has run', { timeout: 60_000 }, async () => {
  const w = await startWorld({
    pg,
    schema: `${oldTableWithout('tts_voice')}
      GRANT ALL ON signalwire_phone_numbers TO service_role; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO service_role;`,
  });
  after(() => w.stop());
  const cwd = tmp();
  const p = startPty(['--yes', '--number', NUMBER, '--no-check'], { cwd, env: { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0004' } });
  await p.waitFor('Done? Try again', { timeoutMs: 15_000 });
  assert.match(p.screen(), /ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS tts_voice text;/);
  assert.equal((await w.rows()).length, 0, 'no partial row');
  await w.pg.psql('ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS tts_voice text;', w.db);
  p.write(KEY.enter);
  assert.equal(await p.exited, 0, p.screen());
  const rows = await w.rows();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.tts_voice, 'Rachel');
});

test('a .env without the SIP login takes the trunk\'s login back instead of making a new one', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = tmp();
  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0005' };
  assert.equal((await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env })).code, 0);
  const trunk = [...w.livekit.trunks.values()][0]!;
  const login = { user: trunk.authUsername, pass: trunk.authPassword };
  const envPath = join(cwd, '.env');
  writeFileSync(envPath, readFileSync(envPath, 'utf8').replace(/^LIVEKIT_SIP_(USERNAME|PASSWORD)=.*\n/gm, ''));

  const r = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\.env: add 2 settings\n +add LIVEKIT_SIP_USERNAME "[^"]+"\n +add LIVEKIT_SIP_PASSWORD \S+…\S+\n/);
  assert.ok(!r.stdout.includes(login.pass!), 'the password shows only masked');
  assert.doesNotMatch(r.stdout, /LiveKit trunk/, 'the trunk is left as it is');
  const after2 = [...w.livekit.trunks.values()][0]!;
  assert.deepEqual({ user: after2.authUsername, pass: after2.authPassword }, login);
  const back = parse(readFileSync(envPath));
  assert.deepEqual({ user: back.LIVEKIT_SIP_USERNAME, pass: back.LIVEKIT_SIP_PASSWORD }, login);
});

test('the number on a trunk this tool did not create: the setup asks, then uses that trunk', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const { SipClient } = await import('livekit-server-sdk');
  const sip = new SipClient(w.livekit.url, w.livekit.apiKey, w.livekit.apiSecret);
  const theirs = await sip.createSipInboundTrunk('made-by-hand', [NUMBER, UNRELATED_NUMBER]);
  const cwd = tmp();
  const p = startPty(['--yes', '--number', NUMBER, '--no-check'], { cwd, env: { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0006' } });
  await p.waitFor(/already on the LiveKit trunk "made-by-hand", which this tool did not create/, { timeoutMs: 15_000 });
  p.write('y');
  assert.equal(await p.exited, 0, p.screen());
  const trunks = [...w.livekit.trunks.values()];
  assert.equal(trunks.length, 1, 'no second trunk');
  assert.deepEqual([...trunks[0]!.numbers].sort(), [NUMBER, UNRELATED_NUMBER], 'their other number stays');
  assert.equal(trunks[0]!.sipTrunkId, theirs.sipTrunkId);
  assert.deepEqual([...w.livekit.rules.values()][0]!.trunkIds, [theirs.sipTrunkId]);
});

test('--no-db prints the SQL instead of writing the row; check finds the one number on the trunk by itself', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  w.livekit.registerWorker('inbound-agent');
  const cwd = tmp();
  const env = { ...w.env, AGENT_NAME: 'inbound-agent', DEEPGRAM_API_KEY: 'dg-key-not-real-0007' };
  const r = await runCli(['--yes', '--no-db', '--number', NUMBER], { cwd, env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^DO \$csi\$\nDECLARE[\s\S]*UPDATE signalwire_phone_numbers/m);
  assert.match(r.stdout, /– Database row for the number: skipped, the database is managed elsewhere \(--no-db\)/);
  assert.equal((await w.rows()).length, 0, 'the database was left alone');
  // The printed SQL, pasted into the SQL editor, registers the number.
  const sql = r.stdout.slice(r.stdout.indexOf('-- Registers'), r.stdout.indexOf('\n$csi$;') + '\n$csi$;'.length);
  await w.pg.psql(sql, w.db);
  assert.equal((await w.rows())[0]!.number, NUMBER);

  const check = await runCli(['check'], { cwd, env: { PATH: process.env.PATH ?? '' } });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /✓ Inbound trunk holds \+14244851544/);
  assert.match(check.stdout, /✓ Database row for \+14244851544/);
});

test('remove shows all three sides and asks for each: Ctrl-C changes nothing; yes takes the trunk, our SWML script, and sets the row inactive', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg, signalwire: true });
  after(() => w.stop());
  const cwd = tmp();
  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0008' };
  assert.equal((await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env })).code, 0);
  assert.equal(w.signalwire!.scripts.size, 1, 'the setup made our SWML script');

  const no = startPty(['remove', '--number', NUMBER], { cwd });
  await no.waitFor(`Take ${NUMBER} off LiveKit?`);
  no.write(KEY.ctrlC);
  assert.equal(await no.exited, 130);
  assert.equal(w.livekit.trunks.size, 1);
  assert.equal(w.signalwire!.scripts.size, 1);

  const yes = startPty(['remove', '--number', NUMBER], { cwd });
  after(() => yes.kill());
  await yes.waitFor(`Take ${NUMBER} off LiveKit?`);
  const plan = yes.screen();
  assert.match(plan, /LiveKit\n( {2}• .*\n)* {2}• LiveKit trunk "create-sip-inbound": delete/);
  assert.match(plan, /SignalWire\n {2}• SignalWire: delete SWML script "create-sip-inbound \+14244851544" \(\+14244851544 runs it now: SWML script/);
  assert.match(plan, /database\n {2}• database: \+14244851544 status active → inactive \(the row stays\)/);
  yes.write('y');
  await yes.waitFor(`Delete our SWML script for ${NUMBER} on SignalWire?`);
  yes.write('y');
  await yes.waitFor(`Set ${NUMBER} inactive in the database`);
  yes.write('y');
  assert.equal(await yes.exited, 0, yes.screen());
  assert.equal(w.livekit.trunks.size, 0);
  assert.equal(w.livekit.rules.size, 0);
  assert.equal(w.signalwire!.scripts.size, 0);
  const rows = await w.rows();
  assert.equal(rows.length, 1, 'the row is never deleted');
  assert.equal(rows[0]!.status, 'inactive');
  assertNoSecrets(yes, [...secretsOf(w, cwd), w.signalwire!.apiToken]);
});

test('in a git work tree, the setup warns when git would commit .env or the saved SWML', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const { execFileSync } = await import('node:child_process');
  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0009' };
  const bare = tmp();
  execFileSync('git', ['init', '-q'], { cwd: bare });
  const warned = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd: bare, env });
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stdout, /git does not ignore \.env, signalwire-swml\.json: add them to \.gitignore/);

  const ignored = tmp();
  execFileSync('git', ['init', '-q'], { cwd: ignored });
  writeFileSync(join(ignored, '.gitignore'), '.env\n.env.bak\nsignalwire-swml.json\n');
  const quiet = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd: ignored, env });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stdout, /git does not ignore/);
});

test('Ctrl-C while a live check waits on a stalled LiveKit: exit 130, the terminal restored, nothing written', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  w.livekit.fault({ delayMs: 8000 });
  const cwd = tmp();
  const p = startPty(['--number', NUMBER, '--agent', 'none'], { cwd, env: w.env });
  await p.waitFor('Checking the LiveKit key');
  p.write(KEY.ctrlC);
  assert.equal(await p.exited, 130);
  assert.match(p.screen(), /Cancelled: nothing was changed/);
  const raw = p.raw();
  assert.ok(raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'), 'cursor restored');
  assert.ok(!existsSync(join(cwd, '.env')));
  assert.equal(w.livekit.trunks.size, 0);
});

test('a wrong secret typed at the prompt is named in one line as typed, and only it is asked again', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = tmp();
  const p = startPty(['--agent', 'none'], { cwd });
  await drive(p, [
    ['LiveKit URL', w.env.LIVEKIT_URL + KEY.enter],
    ['LiveKit API key', w.env.LIVEKIT_API_KEY + KEY.enter],
    ['LiveKit API secret', 'typo-secret-value' + KEY.enter],
  ]);
  await p.waitFor(/LiveKit at http:\/\/127\.0\.0\.1:\d+ rejected the API secret of key \S+: check the LiveKit API secret you typed/);
  // Only the secret is asked again: the URL and key typed are kept, the right secret goes through.
  await drive(p, [[/◆  LiveKit API secret/, w.env.LIVEKIT_API_SECRET + KEY.enter]]);
  await p.waitFor('Checking the LiveKit key: ok');
  await p.waitFor('LiveKit SIP domain');
  p.write(KEY.ctrlC);
  assert.equal(await p.exited, 130);
  assertNoSecrets(p, [w.livekit.apiSecret, 'typo-secret-value']);
  assert.ok(!existsSync(join(cwd, '.env')));
});

test('no table yet: the setup hands over the schema, waits, checks again and goes on', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg, schema: 'SELECT 1;' });
  after(() => w.stop());
  const cwd = tmp();
  const p = startPty(['--yes', '--number', NUMBER, '--no-check'], { cwd, env: { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0010' } });
  await p.waitFor('Done? Check again', { timeoutMs: 15_000 });
  assert.match(p.screen(), /CREATE TABLE IF NOT EXISTS signalwire_phone_numbers/);
  p.write(KEY.enter); // not run yet: it asks again, without asking for the key again
  await p.waitFor(/Done\? Check again[\s\S]*Done\? Check again/, { in: 'transcript' });
  assert.doesNotMatch(p.transcript(), /◆  Supabase service role key/);
  const { renderSchema } = await import('../../src/render/sql.ts');
  await w.pg.psql(renderSchema(), w.db);
  p.write(KEY.enter);
  assert.equal(await p.exited, 0, p.screen());
  assert.equal((await w.rows()).length, 1);
});
