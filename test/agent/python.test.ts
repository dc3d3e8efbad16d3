// The starter agent's own Python tests (templates/agent/python/tests), run with pytest in the environment
// scripts/install-agent.sh builds, so `npm test` covers them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AGENT_PYTHON, AGENT_TEMPLATE } from '../real/paths.ts';

test('the starter agent passes its own tests (pytest)', () => {
  assert.ok(existsSync(AGENT_PYTHON), `the agent's Python environment is missing: run bash scripts/install-agent.sh`);
  const home = mkdtempSync(join(tmpdir(), 'csi-agent-home-'));
  const r = spawnSync(AGENT_PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
    cwd: AGENT_TEMPLATE,
    env: { PATH: process.env.PATH ?? '', HOME: home, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const passed = /(\d+) passed/.exec(r.stdout);
  assert.ok(passed && Number(passed[1]) >= 10, `pytest collected too few tests:\n${r.stdout}`);
  assert.doesNotMatch(r.stdout, /failed|error/i);
});
