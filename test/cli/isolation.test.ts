// The runs the tests spawn start from an isolated environment: a HOME of their own and no LiveKit CLI config,
// so a real ~/.livekit/cli-config.yaml on the machine cannot fill settings in a test. A test that brings a
// fake home keeps the config lookup under it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnv, runCli } from '../helpers/cli.ts';

const CONFIG = 'default_project: my-app\nprojects:\n  - name: my-app\n    project_id: p_abc123xyz\n    url: wss://my-app-abc123xyz.livekit.cloud\n    api_key: APIkey\n    api_secret: lk-secret-not-real-0002\n';

test('the base environment: an empty HOME of its own, the LiveKit CLI config pointing nowhere', () => {
  const env = isolatedEnv();
  assert.notEqual(env.HOME, homedir());
  assert.deepEqual(readdirSync(env.HOME!), []);
  assert.ok(env.LIVEKIT_CLI_CONFIG && !existsSync(env.LIVEKIT_CLI_CONFIG));
  assert.equal(isolatedEnv({ LIVEKIT_CLI_CONFIG: '/x.yaml' }).LIVEKIT_CLI_CONFIG, '/x.yaml');
  assert.equal(isolatedEnv({ HOME: '/fake' }).LIVEKIT_CLI_CONFIG, undefined, 'a given HOME keeps its own config');
  for (const k of Object.keys(env)) assert.ok(['PATH', 'HOME', 'LIVEKIT_CLI_CONFIG'].includes(k), `${k} leaked in`);
});

test('a run reads no LiveKit CLI config unless the test brings one (here under a fake HOME)', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'csi-iso-'));
  const bare = await runCli(['swml'], { cwd });
  assert.equal(bare.code, 2, 'nothing fills the SIP domain');
  assert.match(bare.stderr, /--livekit-sip-domain/);

  const fakeHome = mkdtempSync(join(tmpdir(), 'csi-fake-home-'));
  mkdirSync(join(fakeHome, '.livekit'));
  writeFileSync(join(fakeHome, '.livekit', 'cli-config.yaml'), CONFIG);
  const withHome = await runCli(['swml'], { cwd, env: { HOME: fakeHome } });
  assert.equal(withHome.code, 0, withHome.stderr);
  assert.match(JSON.parse(withHome.stdout).sections.main[0].connect.to, /@abc123xyz\.sip\.livekit\.cloud;/);
});
