// Every command's --help, as printed by the built binary: one screen (at most 40 lines), every line within
// 80 columns, the usage line within 100, only the settings the command reads, and --dry-run only where
// something changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { COMMANDS } from '../../src/commands/registry.ts';

// Started as npx would start it, so the usage lines read as they do for most people.
const NPX = { npm_command: 'exec' };
const READ_ONLY = ['swml', 'sql', 'check', 'serve'];

test('each command --help: at most 40 lines, none wider than 80, usage within 100, no --dry-run for read-only commands', async () => {
  const names = COMMANDS.map((c) => c.name);
  const helps = await Promise.all(names.map((n) => runCli([n, '--help'], { env: NPX })));
  for (const [i, r] of helps.entries()) {
    const name = names[i]!;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.replace(/\n$/, '').split('\n');
    assert.ok(lines.length <= 40, `${name} --help is ${lines.length} lines`);
    for (const l of lines) assert.ok([...l].length <= 80, `${name} --help: a line of ${[...l].length}: ${l}`);
    const usage = r.stdout.slice(0, r.stdout.indexOf('\n\n')).replace(/\n\s+/g, ' ');
    assert.match(usage, /^Usage: /);
    assert.ok(usage.length <= 100, `${name} usage is ${usage.length} characters: ${usage}`);
    if (READ_ONLY.includes(name)) assert.doesNotMatch(r.stdout, /--dry-run/, `${name} changes nothing`);
  }
  const by = Object.fromEntries(names.map((n, i) => [n, helps[i]!.stdout]));
  assert.match(by.remove!, /--dry-run/);
  // Only what each command reads.
  assert.match(by.swml!, /--livekit-sip-domain \(LIVEKIT_SIP_DOMAIN\)/);
  assert.doesNotMatch(by.swml!, /--supabase-url|--number|--tts-voice/);
  assert.match(by.sql!, /--number/);
  assert.doesNotMatch(by.sql!, /--signalwire-|--api-server-port|--deepgram-api-key/);
  assert.doesNotMatch(by.check!, /--stt-model|--tts-voice|--deepgram-api-key|--api-server-port/);
  assert.doesNotMatch(by.serve!, /--supabase-url|--number /);
});

test('the program --help fits 80 columns too', async () => {
  const r = await runCli(['--help'], { env: NPX });
  for (const l of r.stdout.split('\n')) assert.ok([...l].length <= 80, l);
});
