// The secret-marker sweep: one marker planted in every secret of the run (the three services' keys, the
// SIP password, every provider key, the signing key), then every output mode read in full: the human run
// in a terminal and piped, --json, --dry-run, error lines whose service bodies echo other secrets, the
// check's details (and its --json), and `swml`. The marker must never appear, except in the document
// `swml` hands over through a pipe, which exists to carry the SIP password (and only that).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { runCli, type RunResult } from '../helpers/cli.ts';
import { startPty } from '../helpers/pty.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const M = `MRK${randomBytes(6).toString('hex')}`;
const SECRET = {
  LIVEKIT_API_SECRET: `${M}livekitsecret`,
  SUPABASE_SERVICE_ROLE_KEY: `sb_secret_${M}supabase`,
  SIGNALWIRE_API_TOKEN: `PT${M}signalwire`,
  LIVEKIT_SIP_PASSWORD: `${M}sippassword`,
  SIGNALWIRE_SIGNING_KEY: `PSK_${M}signing`,
  DEEPGRAM_API_KEY: `${M}deepgram`,
  ASSEMBLYAI_API_KEY: `${M}assemblyai`,
  ELEVENLABS_API_KEY: `${M}elevenlabs`,
  CARTESIA_API_KEY: `${M}cartesia`,
  OPENAI_API_KEY: `sk-${M}openai`,
  ANTHROPIC_API_KEY: `sk-ant-${M}anthropic`,
  GROQ_API_KEY: `gsk_${M}groq`,
  GOOGLE_API_KEY: `AIza${M}google`,
};
// Everything a service could echo back in one error body.
const ECHO = `request was ${JSON.stringify({ password: SECRET.LIVEKIT_SIP_PASSWORD })} with keys ${SECRET.DEEPGRAM_API_KEY}, ${SECRET.OPENAI_API_KEY}, ${SECRET.SIGNALWIRE_API_TOKEN}, ${SECRET.SUPABASE_SERVICE_ROLE_KEY}, ${SECRET.LIVEKIT_API_SECRET}`;

function assertClean(label: string, text: string) {
  assert.ok(text.length > 0, `${label}: no output at all`);
  const at = text.indexOf(M);
  assert.equal(at, -1, `${label}: a secret was printed: …${text.slice(Math.max(0, at - 80), at + 40)}…`);
}
const both = (r: RunResult) => r.stdout + r.stderr;

async function world(): Promise<{ w: World; cwd: string; env: Record<string, string> }> {
  const w = await startWorld({
    pg,
    signalwire: true,
    secrets: { livekitApiSecret: SECRET.LIVEKIT_API_SECRET, supabaseServiceKey: SECRET.SUPABASE_SERVICE_ROLE_KEY, signalwireApiToken: SECRET.SIGNALWIRE_API_TOKEN },
  });
  after(() => w.stop());
  w.livekit.registerWorker();
  const env = { ...w.env, ...SECRET, LIVEKIT_SIP_USERNAME: 'sip-sweep' };
  return { w, cwd: mkdtempSync(join(tmpdir(), 'csi-sweep-')), env };
}

test('a whole setup, piped and in a terminal, --json and --dry-run: no secret on any output', { timeout: 90_000 }, async () => {
  const { w, cwd, env } = await world();
  const dry = await runCli(['--yes', '--dry-run', '--number', NUMBER], { cwd, env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /The plan/);
  assertClean('--dry-run', both(dry));

  const human = await runCli(['--yes', '--number', NUMBER], { cwd, env });
  assert.equal(human.code, 0, human.stderr + human.stdout);
  assert.match(human.stdout, /Every hop passed|✓/);
  assertClean('human, piped', both(human));
  assert.ok(w.livekit.trunks.size === 1 && [...w.livekit.trunks.values()][0]!.authPassword === SECRET.LIVEKIT_SIP_PASSWORD, 'the secrets were really used');

  const json = await runCli(['--json', '--number', NUMBER, '--tts-voice', 'Adam'], { cwd, env });
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).ok, true);
  assertClean('--json', both(json));

  const term = startPty(['--yes', '--number', NUMBER, '--tts-voice', 'Rachel'], { cwd, env });
  assert.equal(await term.exited, 0, term.screen());
  assertClean('human, terminal', term.raw());
});

test('error lines whose service bodies echo every secret: LiveKit, SignalWire, Supabase', { timeout: 90_000 }, async () => {
  // A world each: the services' changes run side by side, so one failing run may have done another's part.
  const one = await world();
  one.w.livekit.fault({ match: 'CreateSIPInboundTrunk', status: 400, body: { code: 'invalid_argument', msg: ECHO }, times: 1 });
  const lk = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd: one.cwd, env: one.env });
  assert.equal(lk.code, 1, both(lk));
  assert.match(lk.stderr, /LiveKit refused creating trunk/);
  assertClean('LiveKit error', both(lk));

  const two = await world();
  two.w.signalwire!.fault({ match: 'POST /api/fabric/resources/swml_scripts', status: 422, times: 1, body: { errors: [{ detail: ECHO }] } });
  const sw = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd: two.cwd, env: two.env });
  assert.equal(sw.code, 1, both(sw));
  assert.match(sw.stderr, /SignalWire refused to/);
  assertClean('SignalWire error', both(sw));

  const { w, cwd, env } = await world();
  w.rest.fault({ status: 500, body: { code: 'XX000', message: ECHO } });
  const sb = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env });
  w.rest.clearFaults();
  assert.equal(sb.code, 1, both(sb));
  assert.match(sb.stderr, /Supabase/);
  assertClean('Supabase error', both(sb));
});

test('check details and check --json, with every service echoing secrets; database values with escape codes', { timeout: 90_000 }, async () => {
  const { w, cwd, env } = await world();
  assert.equal((await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env })).code, 0);
  // A row whose values carry terminal escape codes (set outside this tool).
  await w.pg.psql(`UPDATE signalwire_phone_numbers SET tts_voice = E'Ev\\x1b]0;pwned\\x07il\\x1b[2J', llm_model = E'm\\u009b31m';`, w.db);
  const clean = await runCli(['check', '--number', NUMBER, '--no-probe'], { cwd, env });
  assert.match(clean.stdout, /Ev\\u001b\]0;pwned\\u0007il\\u001b\[2J/, clean.stdout);
  assert.ok(!/[\x1b\x07\x9b]/.test(clean.stdout + clean.stderr), 'no raw control character reached the output');
  assertClean('check', both(clean));

  w.livekit.fault({ match: 'ListSIPInboundTrunk', status: 400, body: { code: 'invalid_argument', msg: ECHO } });
  w.signalwire!.fault({ match: 'GET /api/relay/rest/phone_numbers', status: 500, body: { error: ECHO } });
  w.rest.fault({ status: 500, body: { code: 'XX000', message: ECHO } });
  const failing = await runCli(['check', '--number', NUMBER, '--no-probe'], { cwd, env });
  assert.equal(failing.code, 1);
  assert.match(failing.stdout, /✗/);
  assertClean('check details', both(failing));
  const asJson = await runCli(['check', '--json', '--number', NUMBER, '--no-probe'], { cwd, env });
  assert.equal(JSON.parse(asJson.stdout).ok, false);
  assertClean('check --json', both(asJson));
});

test('swml: on a terminal the password is hidden; piped, the document carries the SIP password and nothing else secret', { timeout: 60_000 }, async () => {
  const { cwd, env } = await world();
  const piped = await runCli(['swml'], { cwd, env });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(JSON.parse(piped.stdout).sections.main[0].connect.password, SECRET.LIVEKIT_SIP_PASSWORD);
  assertClean('swml piped, but for the SIP password', both(piped).split(SECRET.LIVEKIT_SIP_PASSWORD).join('(carried)'));
  const term = startPty(['swml', '--no-interactive'], { cwd, env });
  assert.equal(await term.exited, 0, term.screen());
  // A masked document would fail when pasted: on a terminal it is not shown at all, only how to get it.
  assert.doesNotMatch(term.screen(), /"password"/);
  // A long command moves to its own line when the terminal is narrower than the sentence.
  assert.match(term.screen().replace(/\n/g, ''), /so it is not shown\. Pipe it:\s+node \S*bin\/create-sip-inbound\.js swml > swml\.json/);
  assertClean('swml on a terminal', term.raw());
});
