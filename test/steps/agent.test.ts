// The starter agent step: what it creates, that it never overwrites, and that a folder with an agent gets none.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { agentChange, agentFiles, hasAgent } from '../../src/steps/agent.ts';

test('the files come from the template, agent.py registers the rule\'s agent name, and the plan names each file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-agent-step-'));
  assert.equal(hasAgent(dir), false);
  const files = agentFiles(dir, 'sales-agent');
  for (const f of ['agent.py', 'requirements.txt', 'README-agent.md', 'inbound/settings.py', 'tests/test_logic.py']) assert.ok(files.has(f), f);
  assert.ok(![...files.keys()].some((f) => /__pycache__|\.pytest_cache/.test(f)));
  assert.match(files.get('agent.py')!, /@server\.rtc_session\(agent_name="sales-agent"\)/);
  const change = agentChange({ folder: dir, files })!;
  assert.match(change.summary, /create README-agent\.md, agent\.py, inbound\/__init__\.py/);
  await change.apply();
  assert.equal(hasAgent(dir), true);
  assert.match(readFileSync(join(dir, 'agent.py'), 'utf8'), /agent_name="sales-agent"/);
});

test('never overwrites: a file already there is left out of the plan, and one that appears later is kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-agent-step-'));
  mkdirSync(join(dir, 'inbound'));
  writeFileSync(join(dir, 'requirements.txt'), 'mine\n');
  const files = agentFiles(dir, 'inbound-agent');
  assert.equal(files.has('requirements.txt'), false);
  writeFileSync(join(dir, 'inbound', 'prices.py'), '# mine\n'); // appeared between the plan and the apply
  await agentChange({ folder: dir, files })!.apply();
  assert.equal(readFileSync(join(dir, 'requirements.txt'), 'utf8'), 'mine\n');
  assert.equal(readFileSync(join(dir, 'inbound', 'prices.py'), 'utf8'), '# mine\n');
  assert.ok(existsSync(join(dir, 'agent.py')));
});

test('a folder whose source registers an agent name holds an agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csi-agent-step-'));
  writeFileSync(join(dir, 'worker.ts'), "export default defineAgent({ agentName: 'mine' });\n");
  assert.equal(hasAgent(dir), true);
});
