// Every printed command names the tool as it was started, so it works when pasted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { detectInvocation } from '../../src/invocation.ts';
import { BIN, isolatedEnv } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');

test('each way of starting the tool is named as it was started', () => {
  const bin = join(ROOT, 'bin', 'create-sip-inbound.js');
  assert.equal(detectInvocation({ npm_command: 'exec' }, bin, ROOT), 'npx create-sip-inbound');
  assert.equal(detectInvocation({ npm_command: 'init' }, bin, ROOT), 'npx create-sip-inbound');
  assert.equal(detectInvocation({ npm_command: 'run-script', npm_lifecycle_event: 'start' }, bin, ROOT), 'npm start --');
  assert.equal(detectInvocation({}, '/usr/local/bin/create-sip-inbound', '/home/me'), 'create-sip-inbound');
  assert.equal(detectInvocation({}, bin, ROOT), 'node bin/create-sip-inbound.js');
  assert.equal(detectInvocation({}, bin, '/elsewhere'), `node ${bin}`);
  assert.equal(detectInvocation({}, '/a b/bin/create-sip-inbound.js', '/x'), `node '/a b/bin/create-sip-inbound.js'`);
  assert.equal(detectInvocation({}, '/some/test-runner.js', '/x'), 'npx create-sip-inbound');
});

test('started as node bin/create-sip-inbound.js, its fix lines name that form', () => {
  // A LiveKit that is not there: the check fails and its closing line says how to run it again.
  const env: Record<string, string> = { ...isolatedEnv(), CI: 'true', LIVEKIT_URL: 'http://127.0.0.1:9', LIVEKIT_API_KEY: 'APIunit', LIVEKIT_API_SECRET: 'unit-secret-unit-secret-unit-secret', LIVEKIT_SIP_DOMAIN: '127.0.0.1:9' };
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  const r = spawnSync(process.execPath, [BIN, 'check', '--number', '+14244851544', '-f', 'missing.env', '--no-db', '--no-probe'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  const text = r.stdout + r.stderr;
  assert.match(text, /`node bin\/create-sip-inbound\.js check -f missing\.env --no-db`/, text);
  assert.doesNotMatch(text, /npx create-sip-inbound/);
});

test('--help names the command as started', () => {
  const env: Record<string, string> = { ...isolatedEnv() };
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  const viaNode = spawnSync(process.execPath, [BIN, '--help'], { cwd: ROOT, env, encoding: 'utf8' });
  assert.match(viaNode.stdout, /Run "node bin\/create-sip-inbound\.js <command> --help"/);
  const viaNpx = spawnSync(process.execPath, [BIN, '--help'], { cwd: ROOT, env: { ...env, npm_command: 'exec' }, encoding: 'utf8' });
  assert.match(viaNpx.stdout, /Run "npx create-sip-inbound <command> --help"/);
});
