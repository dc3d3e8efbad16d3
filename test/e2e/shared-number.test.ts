// One number, two folders: the trunk's SIP login is the truth. A folder that sets up a number a trunk already
// serves takes that trunk's login (a fresh .env, or one holding another login), and two first runs at once
// both end with the login the trunk kept, in .env and in the SWML the number runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const KEYS = { DEEPGRAM_API_KEY: 'dg-key-not-real-2401', ELEVENLABS_API_KEY: 'el-key-not-real-2401', OPENAI_API_KEY: 'oa-key-not-real-2401' };
const args = ['--yes', '--number', NUMBER, '--no-check'];

async function world(): Promise<{ w: World; env: Record<string, string> }> {
  const w = await startWorld({ pg, signalwire: true });
  after(() => w.stop());
  return { w, env: { ...w.env, ...KEYS } };
}

const folder = () => mkdtempSync(join(tmpdir(), 'csi-shared-'));

/** The login of the one trunk holding the number. */
function trunkLogin(w: World): { username: string; password: string; id: string } {
  const holding = [...w.livekit.trunks.values()].filter((t) => t.numbers.includes(NUMBER));
  assert.equal(holding.length, 1, 'one trunk holds the number');
  const t = holding[0]!;
  assert.ok(t.authUsername && t.authPassword, 'the trunk demands a login');
  return { username: t.authUsername, password: t.authPassword, id: t.sipTrunkId };
}

function envLogin(cwd: string): { username?: string; password?: string } {
  const v = parse(readFileSync(join(cwd, '.env'), 'utf8'));
  return { username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD };
}

/** The login in the SWML script the number runs. */
function swmlLogin(w: World): { username?: string; password?: string } {
  const n = [...w.signalwire!.numbers.values()].find((x) => x.number === NUMBER)!;
  const script = [...w.signalwire!.scripts.values()].find((s) => s.request_url === n.call_relay_script_url);
  assert.ok(script, 'the number runs one of the scripts');
  const doc = typeof script.contents === 'string' ? JSON.parse(script.contents) : script.contents;
  const { username, password } = doc.sections.main[0].connect;
  return { username, password };
}

const same = (a: { username?: string; password?: string }, b: { username: string; password: string }) =>
  a.username === b.username && a.password === b.password;

test('folder b sets up the number folder a set up: the trunk keeps its login, and b takes it', { timeout: 90_000 }, async () => {
  const { w, env } = await world();
  const a = folder();
  assert.equal((await runCli(args, { cwd: a, env })).code, 0);
  const kept = trunkLogin(w);

  const b = folder();
  const r = await runCli(args, { cwd: b, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`SIP login: taken from trunk ${kept.id}`));
  assert.doesNotMatch(r.stdout, /LiveKit trunk/, 'the trunk is not changed');
  assert.ok(!r.stdout.includes(kept.password) && !r.stderr.includes(kept.password), 'the password is never printed');
  assert.deepEqual(trunkLogin(w), kept);
  assert.ok(same(envLogin(b), kept), "b's .env holds the trunk's login");
  assert.ok(same(envLogin(a), kept), "a's .env still works");
  assert.ok(same(swmlLogin(w), kept));

  // --json carries the plan's line among its notes, never the password.
  const c = await runCli(['--json', '--dry-run', '--number', NUMBER], { cwd: folder(), env });
  assert.equal(c.code, 0, c.stderr);
  assert.ok(JSON.parse(c.stdout).notes.some((n: string) => n.startsWith(`SIP login: taken from trunk ${kept.id}`)), c.stdout);
  assert.ok(!c.stdout.includes(kept.password));
});

test('a .env holding another login takes the trunk\'s, and says so; an explicit --livekit-sip-password still changes it', { timeout: 90_000 }, async () => {
  const { w, env } = await world();
  assert.equal((await runCli(args, { cwd: folder(), env })).code, 0);
  const kept = trunkLogin(w);

  const b = folder();
  writeFileSync(join(b, '.env'), '# mine\nLIVEKIT_SIP_USERNAME=sip-other\nLIVEKIT_SIP_PASSWORD=other-password-0123456789abcdef\n');
  const r = await runCli(args, { cwd: b, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`SIP login: taken from trunk ${kept.id}`));
  assert.doesNotMatch(r.stdout, /LiveKit trunk/);
  assert.deepEqual(trunkLogin(w), kept);
  assert.ok(same(envLogin(b), kept));
  assert.match(readFileSync(join(b, '.env'), 'utf8'), /^# mine\n/, 'the rest of the file stays');
  assert.ok(same(swmlLogin(w), kept));

  const again = await runCli(args, { cwd: b, env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/, 'a rerun converges');
  assert.doesNotMatch(again.stdout, /SIP login: taken/);

  const asked = await runCli([...args, '--livekit-sip-password', 'asked-for-password-0123456789abcd'], { cwd: b, env });
  assert.equal(asked.code, 0, asked.stderr);
  assert.equal(trunkLogin(w).password, 'asked-for-password-0123456789abcd', 'a password given on purpose is set');
});

test('two first runs at once from two folders, 4 times: all 8 .env files and the SWML hold the trunk\'s login', { timeout: 240_000 }, async () => {
  for (let trial = 0; trial < 4; trial++) {
    const { w, env } = await world();
    const folders = [folder(), folder()];
    const runs = await Promise.all(folders.map((cwd) => runCli(args, { cwd, env })));
    for (const r of runs) assert.equal(r.code, 0, `trial ${trial}: ${r.stderr}`);
    const login = trunkLogin(w);
    for (const cwd of folders) assert.ok(same(envLogin(cwd), login), `trial ${trial}: ${cwd}/.env holds the trunk's login`);
    assert.ok(same(swmlLogin(w), login), `trial ${trial}: the SWML holds the trunk's login`);
    const changed = runs.filter((r) => /SIP login/.test(r.stdout));
    for (const r of changed) assert.ok(!r.stdout.includes(login.password));
  }
});

test('a run whose trunk create lost the race takes the winner\'s login, brings .env and its SWML to it, and says so in one line', { timeout: 90_000 }, async () => {
  const { w, env } = await world();
  // The first create waits 3 s before LiveKit takes it: the other run reads, creates and wins meanwhile.
  w.livekit.fault({ match: 'CreateSIPInboundTrunk', delayMs: 3000, times: 1 });
  const folders = [folder(), folder()];
  const runs = await Promise.all(folders.map((cwd) => runCli(args, { cwd, env })));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const login = trunkLogin(w);
  for (const cwd of folders) assert.ok(same(envLogin(cwd), login), `${cwd}/.env holds the trunk's login`);
  assert.ok(same(swmlLogin(w), login));
  const said = runs.map((r) => r.stdout.match(/^.*another run changed.*$/gm) ?? []);
  assert.deepEqual(said.map((x) => x.length).sort(), [0, 1], 'the run that lost says so, once');
  assert.match(said.flat()[0]!, new RegExp(`^SIP login: another run changed trunk ${[...w.livekit.trunks.keys()][0]}'s login meanwhile; .*\\.env and its SWML script now carry it\\.$`));
  assert.ok(runs.every((r) => !r.stdout.includes(login.password) && !r.stderr.includes(login.password)));
  assert.equal(w.livekit.trunks.size, 1, 'one trunk');
  assert.equal(w.livekit.rules.size, 1, 'one rule');
});
