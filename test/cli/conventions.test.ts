// Conventions a person relies on: --env-file naming a file that does not exist yet, CI=false is not CI,
// --json documents from sql and swml, and the LiveKit CLI's default project under every command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, collect, runCli, type RunResult } from '../helpers/cli.ts';
import { isCI } from '../../src/cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'csi-conv-'));

/** Runs the bin file itself, as npm's shim on Linux and macOS does (the kernel reads its shebang line). */
function runBinDirectly(args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return collect(spawn(BIN, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1', ...env }, stdio: 'pipe' }));
}

test('--env-file <a file that does not exist yet> reaches the CLI (Node alone would exit 9)', async () => {
  const cwd = tmp();
  const r = await runBinDirectly(['sql', '--env-file', join(cwd, 'new.env'), '--number', '+14244851544'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\+14244851544/);
  assert.doesNotMatch(r.stderr, /not found/);
});

test('CI=false, CI=0 and an empty CI are not CI; CI=true and CI=1 are', () => {
  for (const v of ['false', 'FALSE', '0', '', ' ']) assert.equal(isCI({ CI: v }), false, `CI=${JSON.stringify(v)}`);
  assert.equal(isCI({}), false);
  for (const v of ['true', '1', 'github']) assert.equal(isCI({ CI: v }), true, `CI=${v}`);
});

test('sql --json and swml --json print JSON documents', async () => {
  const cwd = tmp();
  const sql = await runCli(['sql', '--json', '--number', '(424) 485-1544', '--tts-voice', 'Rachel'], { cwd });
  assert.equal(sql.code, 0, sql.stderr);
  const s = JSON.parse(sql.stdout) as { number: string; sql: string };
  assert.equal(s.number, '+14244851544');
  assert.match(s.sql, /Rachel/);
  const schema = JSON.parse((await runCli(['sql', '--schema', '--json'], { cwd })).stdout) as { schema: boolean; sql: string };
  assert.match(schema.sql, /CREATE TABLE IF NOT EXISTS/);

  const swml = await runCli(['swml', '--json', '--livekit-sip-domain', 'abc123xyz.sip.livekit.cloud'], { cwd });
  assert.equal(swml.code, 0, swml.stderr);
  const w = JSON.parse(swml.stdout) as { format: string; document: string; swml: { sections: { main: Array<{ connect: { to: string } }> } } };
  assert.equal(w.format, 'json');
  assert.equal(w.swml.sections.main[0]!.connect.to, 'sip:%{call.to}@abc123xyz.sip.livekit.cloud;transport=tcp');
  assert.deepEqual(JSON.parse(w.document), w.swml);
  const cxml = JSON.parse((await runCli(['swml', '--json', '--format', 'cxml', '--livekit-sip-domain', 'a.sip.livekit.cloud'], { cwd })).stdout) as { format: string; document: string };
  assert.equal(cxml.format, 'cxml');
  assert.match(cxml.document, /<Sip>/);
});

test('without a prompt the LiveKit CLI default project fills what flags, env and .env leave unset; swml derives the SIP domain', async () => {
  const cwd = tmp();
  const cfg = join(cwd, 'cli-config.yaml');
  writeFileSync(
    cfg,
    'default_project: my-app\nprojects:\n  - name: my-app\n    project_id: p_abc123xyz\n    url: wss://my-app-abc123xyz.livekit.cloud\n    api_key: APIkey\n    api_secret: lk-secret-not-real-0001\n',
  );
  const r = await runCli(['swml'], { cwd, env: { LIVEKIT_CLI_CONFIG: cfg } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).sections.main[0].connect.to, 'sip:%{call.to}@abc123xyz.sip.livekit.cloud;transport=tcp');
  assert.match(r.stderr, /LIVEKIT_SIP_DOMAIN from lk config project `my-app`/);
  assert.ok(!(r.stdout + r.stderr).includes('lk-secret-not-real-0001'));

  // A value set anywhere else wins.
  const flag = await runCli(['swml', '--livekit-sip-domain', 'mine.sip.livekit.cloud'], { cwd, env: { LIVEKIT_CLI_CONFIG: cfg } });
  assert.match(JSON.parse(flag.stdout).sections.main[0].connect.to, /@mine\.sip\.livekit\.cloud;/);

  // Malformed: one warning line, and the command goes on (here: naming what is missing).
  writeFileSync(cfg, 'projects: [unclosed\n');
  const bad = await runCli(['swml'], { cwd, env: { LIVEKIT_CLI_CONFIG: cfg } });
  assert.equal(bad.code, 2);
  const lines = bad.stderr.trim().split('\n');
  assert.equal(lines.length, 2, bad.stderr);
  assert.match(lines[0]!, /^! The LiveKit CLI config .* is not valid YAML/);
  assert.match(lines[1]!, /--livekit-sip-domain/);
});
