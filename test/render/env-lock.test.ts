// One run at a time per project, with real processes: a holder, the real CLI as the second run, a kill -9
// leaving a stale lock, and several processes racing for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { takeLock } from '../../src/services/lock.ts';

const LOCK = new URL('../../src/services/lock.ts', import.meta.url).href;
const CLI = new URL('../../src/cli.ts', import.meta.url).href;
const dir = () => mkdtempSync(join(tmpdir(), 'csi-lock-'));
const NUMBER = '+14155550123';
// By its path: the CLI runs in a project directory where `tsx` does not resolve.
const TSX = import.meta.resolve('tsx');

/** A process that takes the lock, says "locked", then holds it until its stdin closes (or it is killed). */
async function holder(lock: string): Promise<ChildProcess> {
  const code = `import(${JSON.stringify(LOCK)}).then(async (m) => { await m.takeLock(${JSON.stringify(lock)}); process.stdout.write('locked\\n'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0)); })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { env: { PATH: process.env.PATH ?? '', HOME: dirname(lock) }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  for await (const chunk of child.stdout!) {
    out += chunk;
    if (out.includes('locked')) break;
  }
  return child;
}

/** The real CLI's `remove`, which takes the project's lock before it reads LiveKit (here: nothing listens). */
function removeRun(cwd: string): Promise<{ code: number | null; stderr: string }> {
  const args = ['remove', '--yes', '--number', NUMBER, '--env-file', join(cwd, '.env')];
  const code = `import(${JSON.stringify(CLI)}).then((m) => m.main(${JSON.stringify(args)}))`;
  const env = { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1', LIVEKIT_URL: 'http://127.0.0.1:9', LIVEKIT_API_KEY: 'APIxxxxxxxx', LIVEKIT_API_SECRET: 'not-a-real-secret-0123456789' };
  const child = spawn(process.execPath, ['--import', TSX, '-e', code], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return once(child, 'close').then(([code]) => ({ code: code as number | null, stderr }));
}

test('a second run waits, then names who holds the lock; after a kill -9 the stale lock is taken over', { timeout: 60_000 }, async () => {
  const cwd = dir();
  const lock = join(cwd, '.env.lock');
  const held = await holder(lock);
  try {
    const { pid, since } = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; since: string };
    assert.equal(pid, held.pid);
    const started = Date.now();
    const second = await removeRun(cwd);
    assert.ok(Date.now() - started >= 4000, `it waited a few seconds first: ${second.stderr}`);
    assert.equal(second.code, 1);
    const lines = second.stderr.trim().split('\n');
    assert.equal(lines.length, 1, second.stderr);
    assert.match(lines[0]!, new RegExp(`^✖ Another create-sip-inbound run \\(pid ${held.pid}, since ${since.slice(0, 10)} \\d\\d:\\d\\d:\\d\\d UTC\\) is changing this project; .*delete .*\\.env\\.lock$`));
  } finally {
    held.kill('SIGKILL');
    await once(held, 'close');
  }
  assert.ok(existsSync(lock), 'a killed holder leaves its lock');
  const third = await removeRun(cwd);
  assert.doesNotMatch(third.stderr, /Another create-sip-inbound run/, 'the stale lock was taken over');
  assert.match(third.stderr, /LiveKit/, 'and the run went on to LiveKit');
  assert.equal(existsSync(lock), false, 'released when that run ended');
});

test('processes racing for the lock hold it one at a time', { timeout: 60_000 }, async () => {
  const cwd = dir();
  const lock = join(cwd, '.env.lock');
  const log = join(cwd, 'log');
  writeFileSync(log, '');
  const code = `import(${JSON.stringify(LOCK)}).then(async (m) => {
    const fs = require('node:fs');
    const l = await m.takeLock(${JSON.stringify(lock)}, { waitMs: 30000, pollMs: 20 });
    fs.appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
    await new Promise((r) => setTimeout(r, 150));
    fs.appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
    l.release();
  })`;
  const runs = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', '-e', code], { env: { PATH: process.env.PATH ?? '', HOME: cwd }, stdio: ['ignore', 'ignore', 'inherit'] }));
  const codes = await Promise.all(runs.map((c) => once(c, 'close').then(([c]) => c)));
  assert.deepEqual(codes, [0, 0, 0, 0]);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 8);
  for (let i = 0; i < lines.length; i += 2) {
    const pid = lines[i]!.split(' ')[1];
    assert.deepEqual([lines[i], lines[i + 1]], [`in ${pid}`, `out ${pid}`], 'no two runs inside at once');
  }
  assert.equal(existsSync(lock), false);
  assert.deepEqual(readdirSync(cwd).filter((f) => f.startsWith('.env.lock')), [], 'no draft of a lock is left behind');
});

test('a lock left by a dead process, or half-written, is taken at once', async () => {
  const cwd = dir();
  const lock = join(cwd, '.env.lock');
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  for (const content of [JSON.stringify({ pid: dead, since: new Date().toISOString() }), '']) {
    writeFileSync(lock, content);
    const started = Date.now();
    const l = await takeLock(lock, { waitMs: 0 });
    assert.ok(Date.now() - started < 1000);
    assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid);
    l.release();
    assert.equal(existsSync(lock), false);
  }
});

test('the lock goes when its process ends by an uncaught error', async () => {
  const cwd = dir();
  const lock = join(cwd, '.env.lock');
  const code = `import(${JSON.stringify(LOCK)}).then(async (m) => { await m.takeLock(${JSON.stringify(lock)}); throw new Error('boom'); })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.equal(existsSync(lock), false);
});
