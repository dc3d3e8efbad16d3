import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SETTINGS } from '../../src/settings.ts';
import { COMMANDS } from '../../src/commands/registry.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README lists every setting with its variable and flag', () => {
  for (const s of SETTINGS) assert.ok(readme.includes(`| \`${s.key}\``) && readme.includes(`\`--${s.flag}\``), s.key);
});

test('the README shows every command and both quick-start commands', () => {
  for (const c of COMMANDS.filter((c) => c.name !== 'setup')) assert.ok(readme.includes(`create-sip-inbound ${c.name}`), c.name);
  assert.ok(readme.includes('npx create-sip-inbound'));
  assert.ok(readme.includes('npm ci && npm test'));
});
