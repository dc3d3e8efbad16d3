// SIGINT, SIGTERM and SIGHUP, sent to the real binary at a prompt, during a spinner and during the apply,
// in a pseudo-terminal and piped: the exit code, the message, the cursor shown again, and nothing applied
// after the signal (the stand-ins' request logs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { startPty, type Session } from '../helpers/pty.ts';
import { BIN } from '../helpers/cli.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const tmp = () => mkdtempSync(join(tmpdir(), 'csi-signals-'));
const SIGNALS = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const;

/** The last cursor sequence on the screen shows it. */
function assertCursorShown(p: Session) {
  const raw = p.raw();
  assert.ok(raw.includes('\x1b[?25h'), 'the cursor is shown');
  assert.ok(raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'), 'the cursor is shown after it was last hidden');
}

const writes = (w: World) => w.livekit.requests.filter((r) => !/^(List|Get)/.test(r.rpc));

async function until(what: string, ok: () => boolean, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function world(): Promise<{ w: World; cwd: string }> {
  const w = await startWorld({ pg });
  after(() => w.stop());
  return { w, cwd: tmp() };
}

for (const [signal, code] of SIGNALS) {
  test(`${signal} at a prompt: exit ${code}, "Cancelled", cursor shown, nothing written`, { timeout: 60_000 }, async () => {
    const { w, cwd } = await world();
    const p = startPty([], { cwd });
    await p.waitFor('LiveKit URL');
    p.write(w.env.LIVEKIT_URL!);
    p.signal(signal);
    assert.equal(await p.exited, code, p.screen());
    assert.match(p.screen(), /✖ Cancelled: nothing was changed\./);
    assert.doesNotMatch(p.transcript(), /Canceled/);
    assertCursorShown(p);
    assert.ok(!existsSync(join(cwd, '.env')));
    assert.equal(w.livekit.requests.length, 0);
  });

  test(`${signal} during a spinner under --yes: exit ${code}, nothing applied afterwards`, { timeout: 60_000 }, async () => {
    const { w, cwd } = await world();
    // The plan's first read stalls; the spinner is up while it waits.
    w.livekit.fault({ match: 'ListSIPInboundTrunk', delayMs: 3000 });
    const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0101' };
    const p = startPty(['--yes', '--number', NUMBER, '--no-check'], { cwd, env });
    await p.waitFor(/Checking the LiveKit key|Reading LiveKit/);
    p.signal(signal);
    assert.equal(await p.exited, code, p.screen());
    assert.match(p.screen(), /✖ Cancelled: nothing was changed\./);
    assert.doesNotMatch(p.transcript(), /Canceled|Something went wrong|Done\./);
    assertCursorShown(p);
    await sleep(3500); // past the stall: a run that went on would write now
    assert.deepEqual(writes(w), []);
    assert.ok(!existsSync(join(cwd, '.env')));
    assert.equal((await w.rows()).length, 0);
  });

  test(`${signal} during the apply (terminal): the changes in flight finish, nothing after them starts`, { timeout: 60_000 }, async () => {
    const { w, cwd } = await world();
    w.livekit.fault({ match: 'CreateSIPInboundTrunk', delayMs: 1500 });
    const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0102' };
    const p = startPty(['--yes', '--number', NUMBER, '--no-check'], { cwd, env });
    await until('the trunk request', () => w.livekit.requests.some((r) => r.rpc === 'CreateSIPInboundTrunk'));
    const seen = w.livekit.requests.length;
    p.signal(signal);
    assert.equal(await p.exited, code, p.screen());
    const screen = p.screen();
    assert.match(screen, /Done:\n[\s\S]*✔ LiveKit trunk "create-sip-inbound": create/);
    assert.match(screen, /Not done:\n[\s\S]*✖ LiveKit dispatch rule "create-sip-inbound": create[\s\S]*✖ database: add \+14244851544/);
    assert.match(screen, /✖ Stopped while applying the plan: run it again to finish/);
    assertCursorShown(p);
    assert.equal(w.livekit.requests.length, seen, 'no LiveKit request after the signal');
    assert.equal(w.livekit.rules.size, 0, 'the rule, after the trunk, never started');
    // At a keyboard the row's change runs alone (it may stop to ask for missing columns): it never started.
    assert.equal((await w.rows()).length, 0);
  });
}

/** The binary with pipes (no terminal), for a signal sent from outside, as `timeout` or a CI runner does. */
function spawnPiped(args: string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1', ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end();
  after(() => void child.kill('SIGKILL'));
  const done = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  return { child, done, out: () => ({ stdout, stderr }) };
}

for (const [signal, code] of SIGNALS) {
  test(`${signal} during the apply (piped, --yes): exit ${code}, the report on stderr, nothing after it`, { timeout: 60_000 }, async () => {
    const { w, cwd } = await world();
    w.livekit.fault({ match: 'CreateSIPInboundTrunk', delayMs: 1500 });
    const r = spawnPiped(['--yes', '--number', NUMBER, '--no-check'], { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0103' }, cwd);
    await until('the trunk request', () => w.livekit.requests.some((q) => q.rpc === 'CreateSIPInboundTrunk'));
    const seen = w.livekit.requests.length;
    r.child.kill(signal);
    assert.equal(await r.done, code, r.out().stderr);
    const { stdout, stderr } = r.out();
    assert.match(stdout, /✔ LiveKit trunk "create-sip-inbound": create/);
    assert.match(stderr, /Not done:\n  ✖ LiveKit dispatch rule "create-sip-inbound": create[^\n]*\n[^ ]/);
    assert.match(stdout, /✔ database: add/, 'the row, written beside the trunk, finished');
    assert.match(stderr, /✖ Stopped while applying the plan: run it again to finish/);
    assert.doesNotMatch(stdout + stderr, /Done\.|Every hop/);
    assert.equal(w.livekit.requests.length, seen, 'no LiveKit request after the signal');
    assert.equal(w.livekit.rules.size, 0);
    assert.equal((await w.rows()).length, 1);
  });
}

test('a second signal during the apply ends the run at once', { timeout: 60_000 }, async () => {
  const { w, cwd } = await world();
  w.livekit.fault({ match: 'CreateSIPInboundTrunk', delayMs: 8000 });
  const r = spawnPiped(['--yes', '--number', NUMBER, '--no-check'], { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0104' }, cwd);
  await until('the trunk request', () => w.livekit.requests.some((q) => q.rpc === 'CreateSIPInboundTrunk'));
  const started = Date.now();
  r.child.kill('SIGTERM');
  await sleep(200);
  r.child.kill('SIGTERM');
  assert.equal(await r.done, 143);
  assert.ok(Date.now() - started < 4000, 'did not wait for the stalled change');
  assert.match(r.out().stderr, /✖ Stopped while applying the plan/);
});

for (const [signal, code] of SIGNALS) {
  test(`${signal} during the setup's check: exit ${code}, "the setup was applied", the cursor shown`, { timeout: 60_000 }, async () => {
    const { w, cwd } = await world();
    // No agent worker: the probe waits (20 s) for one that never comes.
    const p = startPty(['--yes', '--number', NUMBER], { cwd, env: { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0105' } });
    await p.waitFor('to join a test room', { timeoutMs: 20_000 });
    p.signal(signal);
    assert.equal(await p.exited, code, p.screen());
    assert.match(p.screen(), /✖ Stopped: the setup was applied; the check did not finish \(run: create-sip-inbound check\)/);
    assert.doesNotMatch(p.screen(), /Done\./);
    assertCursorShown(p);
    assert.equal((await w.rows()).length, 1);
  });
}

test('SIGTERM during `check` on its own: exit 143, nothing was changed', { timeout: 60_000 }, async () => {
  const { w, cwd } = await world();
  w.livekit.fault({ match: 'ListSIPInboundTrunk', delayMs: 5000 });
  const r = spawnPiped(['check', '--number', NUMBER], w.env, cwd);
  await until('the check reading LiveKit', () => w.livekit.requests.some((q) => q.rpc === 'ListSIPInboundTrunk'));
  r.child.kill('SIGTERM');
  assert.equal(await r.done, 143, r.out().stderr);
  assert.match(r.out().stderr, /✖ Cancelled: nothing was changed\./);
});
