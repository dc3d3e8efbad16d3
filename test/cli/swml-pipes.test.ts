// `swml` where people use it: a terminal that must not show the SIP password, and pipes that close early.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { BIN, collect, isolatedEnv, runCli } from '../helpers/cli.ts';
import { startPty } from '../helpers/pty.ts';

const PASSWORD = 'Pw-swml-terminal-8c41d2';
const LOGIN = { LIVEKIT_SIP_DOMAIN: 'abc123xyz.sip.livekit.cloud', LIVEKIT_SIP_USERNAME: 'sip-user', LIVEKIT_SIP_PASSWORD: PASSWORD };

test('swml --json on a terminal hides the SIP password; --show-password and a pipe hand it over', async () => {
  const onTty = startPty(['swml', '--json'], { env: LOGIN });
  assert.equal(await onTty.exited, 0);
  assert.match(onTty.transcript(), /"username": "sip-user"/);
  assert.match(onTty.transcript(), /--show-password/);
  assert.doesNotMatch(onTty.raw(), new RegExp(PASSWORD));

  const asked = startPty(['swml', '--json', '--show-password'], { env: LOGIN });
  assert.equal(await asked.exited, 0);
  assert.match(asked.transcript(), new RegExp(`"password": "${PASSWORD}"`));

  const piped = await runCli(['swml', '--json'], { env: LOGIN });
  assert.equal(piped.code, 0);
  const doc = JSON.parse(piped.stdout) as { swml: { sections: { main: Array<{ connect: { password: string } }> } } };
  assert.equal(doc.swml.sections.main[0]!.connect.password, PASSWORD);
});

test('a reader that closes at once (| head -c 0) ends every output mode quietly', async () => {
  for (const args of [['swml', '--json'], ['swml'], ['--help'], ['sql', '--schema']]) {
    const child = spawn(process.execPath, [BIN, ...args], { env: isolatedEnv(LOGIN), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy(); // the reader is gone before the first byte
    const r = await collect(child);
    assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.code === 0, `${args.join(' ')} exited ${r.code}`);
  }
});

test('no clipboard offer where no clipboard tool exists', async () => {
  const s = startPty(['swml'], { env: { ...LOGIN, PATH: '/nonexistent', DISPLAY: '', WAYLAND_DISPLAY: '' } });
  await s.waitFor(/Show it with the password/);
  s.write('\r');
  assert.equal(await s.exited, 0);
  assert.doesNotMatch(s.transcript(), /clipboard/i);
});
