// An error names a setting as the person gave it: the flag for a flag, the variable (and its file) for the
// environment or .env, never a variable the person did not set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { runCli } from '../helpers/cli.ts';
import { NUMBER } from '../fixtures.ts';

let lk: LiveKitStandIn;
let dir: string;
before(async () => {
  lk = await startLiveKit();
  dir = mkdtempSync(join(tmpdir(), 'csi-names-'));
});
after(async () => {
  await lk.stop();
  rmSync(dir, { recursive: true, force: true });
});

const WRONG = 'wrong-secret-not-real-0123';

test('a rejected LiveKit secret is named as given: --flag, VARIABLE, or VARIABLE in the .env file', async () => {
  const base = ['remove', '--dry-run', '--number', NUMBER, '--livekit-url', lk.url, '--livekit-api-key', lk.apiKey];
  const envFile = join(dir, 'prod.env');
  writeFileSync(envFile, `LIVEKIT_API_SECRET=${WRONG}\n`);
  const [flag, env, file] = await Promise.all([
    runCli([...base, '--livekit-api-secret', WRONG], { cwd: dir }),
    runCli(base, { cwd: dir, env: { LIVEKIT_API_SECRET: WRONG } }),
    runCli([...base, '-f', envFile], { cwd: dir }),
  ]);
  for (const r of [flag, env, file]) {
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!r.stderr.includes(WRONG));
  }
  assert.match(flag.stderr, /rejected the API secret of key \S+: check --livekit-api-secret\n$/);
  assert.doesNotMatch(flag.stderr, /LIVEKIT_/);
  assert.match(env.stderr, /: check LIVEKIT_API_SECRET\n$/);
  assert.match(file.stderr, new RegExp(`: check LIVEKIT_API_SECRET in ${envFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
});

test('a swapped SignalWire project ID and token are one line, naming both as given, showing neither', async () => {
  const uuid = '0a1b2c3d-1111-2222-3333-444455556666';
  const token = 'PT0123456789abcdef0123456789abcdef';
  const r = await runCli(['sql', '--number', NUMBER, '--signalwire-project-id', token], { cwd: dir, env: { SIGNALWIRE_API_TOKEN: uuid } });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, '✖ --signalwire-project-id and SIGNALWIRE_API_TOKEN: the SignalWire project ID and API token look swapped; the project ID is the UUID, the token starts with PT\n');
});

test('a value read under another variable name is named by that name (SUPABASE_SERVICE_KEY, the guide\'s)', async () => {
  const env = {
    LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, LIVEKIT_SIP_DOMAIN: 'abc123.sip.livekit.cloud',
    SUPABASE_URL: 'http://127.0.0.1:9', SUPABASE_SERVICE_KEY: 'sb_publishable_not_a_secret_key',
  };
  const r = await runCli(['--yes', '--number', NUMBER, '--no-check', '--agent', 'none', '--dry-run'], { cwd: dir, env });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^✖ SUPABASE_SERVICE_KEY is a publishable key \(sb_publishable_…\), which cannot write the table/);
});
