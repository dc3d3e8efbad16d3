// The built binary, driven as a user would: exit codes, one-line errors, help, and what --help loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const TRACE = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));

test('--version prints the version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${pkg.version}\n`);
});

test('--help lists every command; each command has its own --help with its settings', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['setup', 'swml', 'sql', 'check', 'serve', 'remove']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  const swml = await runCli(['swml', '--help']);
  assert.equal(swml.code, 0);
  assert.match(swml.stdout, /--livekit-sip-domain \(LIVEKIT_SIP_DOMAIN\)/);
  assert.match(swml.stdout, /--format <json\|yaml\|cxml>/);
  const sql = await runCli(['help', 'sql']);
  assert.match(sql.stdout, /--number/);
  assert.match(sql.stdout, /--schema/);
});

const BAD: Array<[string, string[], RegExp]> = [
  ['a 5-digit number', ['sql', '--number', '12345'], /^✖ --number: "12345" is not a valid phone number/],
  ['http:// for the LiveKit URL', ['swml', '--livekit-url', 'http://x.livekit.cloud', '--livekit-sip-domain', 'a.sip.livekit.cloud'], /^✖ --livekit-url: .*must start with wss:\/\/ or https:\/\//],
  ['sip: in the domain', ['swml', '--livekit-sip-domain', 'sip:abc.sip.livekit.cloud'], /^✖ --livekit-sip-domain: .*without a scheme or "sip:"/],
  ['a user part in the domain', ['swml', '--livekit-sip-domain', 'me@abc.sip.livekit.cloud'], /^✖ --livekit-sip-domain: .*without a user part/],
  ['an unknown flag', ['swml', '--bogus'], /^✖ Unknown option --bogus; see swml --help/],
  ['a near-miss flag', ['--livekit-ur', 'x'], /did you mean --livekit-url\?/],
  ['a flag without its value', ['sql', '--number'], /^✖ Option --number needs a value/],
  ['an unknown command', ['deploy'], /^✖ Unknown command "deploy"/],
  ['a bad format', ['swml', '--format', 'xml', '--livekit-sip-domain', 'a.sip.livekit.cloud'], /^✖ --format must be one of json, yaml, cxml/],
  ['a missing value', ['swml'], /^✖ Missing \(give each as a flag, or set it in the environment or \.env\): --livekit-sip-domain \(LIVEKIT_SIP_DOMAIN\)/],
];
for (const [what, args, message] of BAD) {
  test(`bad input exits 2 with one clear line: ${what}`, async () => {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  });
}

test('a bad value in the environment or .env names where it came from', async () => {
  const r = await runCli(['swml'], { env: { LIVEKIT_SIP_DOMAIN: 'https://abc.sip.livekit.cloud' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^✖ LIVEKIT_SIP_DOMAIN: /);
});

test('SUPABASE_SERVICE_KEY is read as the service role key', async () => {
  const { resolveConfig } = await import('../../src/config.ts');
  const r = resolveConfig({ flags: {}, env: { SUPABASE_SERVICE_KEY: 'sb_secret_fake' }, envFile: '/nonexistent/.env' });
  assert.equal(r.values.SUPABASE_SERVICE_ROLE_KEY, 'sb_secret_fake');
});

test('precedence: flag > environment > .env', async () => {
  const { resolveConfig } = await import('../../src/config.ts');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join((await import('node:os')).tmpdir(), 'csi-'));
  writeFileSync(join(dir, '.env'), 'AGENT_NAME=from-file\nLLM_MODEL=file-model\nTTS_VOICE=file-voice\n');
  const r = resolveConfig({ flags: { AGENT_NAME: 'from-flag' }, env: { AGENT_NAME: 'from-env', LLM_MODEL: 'env-model' }, envFile: join(dir, '.env') });
  assert.equal(r.values.AGENT_NAME, 'from-flag');
  assert.equal(r.values.LLM_MODEL, 'env-model');
  assert.equal(r.values.TTS_VOICE, 'file-voice');
  assert.deepEqual([r.sources.AGENT_NAME, r.sources.LLM_MODEL, r.sources.TTS_VOICE], ['flag', 'env', 'env-file']);
});

test('swml piped prints only the document, credentials included', async () => {
  const r = await runCli(['swml', '--livekit-sip-domain', 'abc123xyz.sip.livekit.cloud'], {
    env: { LIVEKIT_SIP_USERNAME: 'sip-user', LIVEKIT_SIP_PASSWORD: 'not-a-real-password' },
  });
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.sections.main[0].connect.to, 'sip:%{call.to}@abc123xyz.sip.livekit.cloud;transport=tcp');
  assert.equal(doc.sections.main[0].connect.password, 'not-a-real-password');
});

// A string each heavy library's bundled code is known to hold: livekit-server-sdk's Twirp prefix,
// supabase-js's client header, execa's name, libphonenumber's metadata.
const HEAVY = ['/twirp', 'supabase-js', 'execa', 'libphonenumber'];

test('--help and --version load none of the heavy libraries', async () => {
  // Each marker must be somewhere in the bundle, or its absence below would prove nothing.
  const { readdirSync } = await import('node:fs');
  const distDir = new URL('../../dist/', import.meta.url);
  const bundle = readdirSync(distDir).map((f) => readFileSync(new URL(f, distDir), 'utf8')).join('\n');
  for (const marker of HEAVY) assert.ok(bundle.includes(marker), `no bundled code holds ${marker}`);

  for (const args of [['--help'], ['--version'], ['swml', '--help']]) {
    const r = await runCli(args, { nodeArgs: ['--import', TRACE] });
    assert.equal(r.code, 0);
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
    const dist = loaded.filter((u) => u.includes('/dist/'));
    assert.ok(dist.some((u) => u.endsWith('/dist/cli.js')), 'cli.js loaded');
    for (const u of dist) {
      const code = readFileSync(new URL(u), 'utf8');
      for (const marker of HEAVY) assert.ok(!code.includes(marker), `${args.join(' ')} loaded ${u}, which holds ${marker}`);
    }
  }
});
