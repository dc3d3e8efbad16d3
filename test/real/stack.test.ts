// `npm run stack` as a newcomer uses it: start it, put the lines it prints in a .env of a folder of one's own,
// run the commands it prints there, verbatim. The setup with the offline providers, then `check --call`: the
// SignalWire stand-in dials over real SIP into the real livekit-sip, the starter agent greets the stack's lead
// by name and logs the call, and the check shows all of it. `--leg livekit` works too. Ctrl-C stops it all.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './paths.ts';
import { startService, waitUntil, type Service } from './processes.ts';

let stack: Service;
let printed = '';
const folder = mkdtempSync(join(tmpdir(), 'csi-stack-user-'));
const home = mkdtempSync(join(tmpdir(), 'csi-stack-home-'));

before(async () => {
  // As `npm run stack` runs it once built (the test run builds first).
  const log = join(mkdtempSync(join(tmpdir(), 'csi-stack-')), 'stack.log');
  stack = startService('npm run stack', process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'stand-ins', 'stack.ts')], { cwd: ROOT, log, env: { ...process.env, HOME: home } });
  await waitUntil('the stack to print its lines', async () => /Ctrl-C to stop\./.test(readLog(log)), { timeoutMs: 150_000, service: stack });
  printed = readLog(log);
  const env = printed.split('\n').filter((l) => /^[A-Z][A-Z0-9_]*=\S/.test(l));
  assert.ok(env.some((l) => l.startsWith('LIVEKIT_URL=')) && env.some((l) => l.startsWith('SIGNALWIRE_API_TOKEN=')), printed);
  writeFileSync(join(folder, '.env'), `${env.join('\n')}\n`);
}, { timeout: 180_000 });
after(() => stack?.stop());

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A printed command, from the folder with the .env, as a shell runs it (no terminal: --yes stands for the person's yes). */
async function run(line: string, extra = ''): Promise<{ code: number; out: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' };
  try {
    const r = await promisify(execFile)('sh', ['-c', `${line}${extra}`], { cwd: folder, env, timeout: 120_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const printedCommand = (pattern: RegExp) => {
  const line = printed.split('\n').find((l) => pattern.test(l));
  assert.ok(line, `the stack prints a command matching ${pattern}:\n${printed}`);
  return line.trim();
};

test('the stack runs the starter agent and prints the setup and check --call commands', () => {
  assert.match(printed, /The starter agent \(templates\/agent\/python\) runs as "inbound-agent" on its offline providers/);
  assert.match(printed, /The test call comes from \+\d+, a lead named Ada Lovelace/);
});

test('its commands, pasted in a folder of one\'s own: the setup, then check --call green with the agent\'s proof', { timeout: 300_000 }, async () => {
  const setup = await run(printedCommand(/create-sip-inbound\.js --number \S+ --stt-provider local/));
  assert.equal(setup.code, 0, setup.out);
  const check = printedCommand(/create-sip-inbound\.js check --call$/);
  const full = await run(check, ' --yes');
  assert.equal(full.code, 0, full.out);
  assert.match(full.out, /^✓ Test call: the call went through: \+\d+ → \+\d+ → room → agent/m);
  assert.match(full.out, /^    ✓ LiveKit SIP answered \(\d+\.\d s\): the caller was answered/m);
  assert.match(full.out, /^    ✓ Agent loaded the number's settings: agent loaded \+\d+'s settings \(local\/pocketsphinx · local\/scripted · local\/espeak-ng\), call type inbound-qualified$/m);
  assert.match(full.out, /^    ✓ Agent greeted the caller: greeted .*"Hi Ada Lovelace/m);
  assert.match(full.out, /^    ✓ Interactions row: interaction logged: \d+ turns?, \$0\.0000, inbound-qualified$/m);
  assert.match(full.out, /^Every hop passed\.$/m);

  const leg = await run(check, ' --leg livekit --yes');
  assert.equal(leg.code, 0, leg.out);
  assert.match(leg.out, /^✓ Test call: the call went through: \+\d+ → LiveKit SIP → room → agent/m);
});

test('Ctrl-C stops the stack and everything it started', { timeout: 60_000 }, async () => {
  const url = (key: string) => printed.split('\n').find((l) => l.startsWith(`${key}=`))!.slice(key.length + 1);
  process.kill(-stack.child.pid!, 'SIGINT');
  const code = await Promise.race([stack.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
  assert.notEqual(code, 'still running', 'the stack did not stop on Ctrl-C');
  for (const key of ['LIVEKIT_URL', 'SUPABASE_URL', 'SIGNALWIRE_SPACE_URL'])
    await assert.rejects(fetch(url(key), { signal: AbortSignal.timeout(2000) }), `${key} still answers after Ctrl-C`);
});
