// A .env that cannot be written is bad input, said before any question: exit 2, one line naming the path and
// the fix, nothing printed before it, nothing created.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startPty } from '../helpers/pty.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'csi-envpath-'));

test('-f in a missing folder, a read-only folder or a read-only file: exit 2 at once, naming it', async () => {
  const cwd = dir();
  mkdirSync(join(cwd, 'ro'));
  chmodSync(join(cwd, 'ro'), 0o555);
  writeFileSync(join(cwd, 'r.env'), 'AGENT_NAME=a\n');
  chmodSync(join(cwd, 'r.env'), 0o444);
  const cases: Array<[string[], RegExp]> = [
    [['-f', 'nope/.env', '--yes'], /^✖ The folder \S+\/nope \(for nope\/\.env\) does not exist: create it \(mkdir -p \S+\/nope\)/],
    [['-f', 'nope/.env', '--no-interactive'], /does not exist/],
    [['-f', 'ro/.env', '--yes'], /^✖ The folder \S+\/ro is read-only: make it writable \(chmod u\+w \S+\/ro\)/],
    [['-f', 'r.env', '--yes'], /^✖ r\.env is read-only \(mode 0444\)/],
  ];
  for (const [args, line] of cases) {
    const r = await runCli(args, { cwd });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing printed before the error');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, line);
  }
  assert.equal(existsSync(join(cwd, 'nope')), false);
  assert.deepEqual(readdirSync(join(cwd, 'ro')), [], 'no lock, no temp file');
  assert.deepEqual(readdirSync(cwd).sort(), ['r.env', 'ro']);
});

test('at a keyboard a missing folder is offered, and declining changes nothing', async () => {
  const cwd = dir();
  const s = startPty(['-f', 'new/place/.env'], { cwd });
  await s.waitFor(/new\/place does not exist\. Create it\?/);
  s.write('n');
  s.write('\r');
  assert.equal(await s.exited, 2);
  assert.equal(existsSync(join(cwd, 'new')), false);

  const yes = startPty(['-f', 'new/place/.env'], { cwd });
  await yes.waitFor(/Create it\?/);
  yes.write('\r');
  await yes.waitFor(/LiveKit/);
  assert.equal(existsSync(join(cwd, 'new', 'place')), true);
  yes.kill();
});
