// A new SIP password with SignalWire automated: the SWML learns it first and the trunk last, so a failure
// on the way either leaves calls working or says in words that they fail until the rerun, which fixes it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const NEW_PASSWORD = 'new-sip-password-0123456789abcdef';

/** The login our SignalWire script sends, and whether the trunk takes it (as a call would find out). */
async function callWith(w: World): Promise<{ password: string; accepted: boolean }> {
  const script = [...w.signalwire!.scripts.values()][0]!;
  const doc = typeof script.contents === 'string' ? JSON.parse(script.contents) : script.contents;
  const { username, password } = doc.sections.main[0].connect;
  try {
    await w.livekit.simulateCall({ to: NUMBER, from: '+15550100000', auth: { username, password } });
    return { password, accepted: true };
  } catch {
    return { password, accepted: false };
  }
}

async function setUp() {
  const w = await startWorld({ pg, signalwire: true });
  after(() => w.stop());
  const cwd = mkdtempSync(join(tmpdir(), 'csi-login-'));
  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0201', ELEVENLABS_API_KEY: 'el-key-not-real-0201', OPENAI_API_KEY: 'oa-key-not-real-0201' };
  const first = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env });
  assert.equal(first.code, 0, first.stderr);
  const before = await callWith(w);
  assert.ok(before.accepted, 'calls work after the first run');
  return { w, cwd, env, oldPassword: before.password };
}

const change = ['--yes', '--number', NUMBER, '--no-check', '--livekit-sip-password', NEW_PASSWORD];

test('the plan puts the SWML before the trunk; the trunk failing says calls fail until the rerun, which fixes it', { timeout: 60_000 }, async () => {
  const { w, cwd, env, oldPassword } = await setUp();
  w.livekit.fault({ match: 'UpdateSIPInboundTrunk', status: 500 });
  const r = await runCli(change, { cwd, env });
  assert.equal(r.code, 1, r.stderr);
  const plan = r.stdout.slice(r.stdout.indexOf('The plan'));
  const swmlAt = plan.indexOf('SignalWire: update SWML script');
  const trunkAt = plan.indexOf('LiveKit trunk "create-sip-inbound": digest password');
  assert.ok(swmlAt > 0 && trunkAt > swmlAt, `SWML first, trunk last:\n${plan}`);
  assert.match(r.stderr, /Inbound calls to \+14244851544 fail until you run this again: SignalWire already sends the new SIP login and the LiveKit trunk still expects the old one\. The rerun changes the trunk too, and calls work again\./);
  const last = r.stderr.trim().split('\n').at(-1)!;
  assert.match(last, /^✖ LiveKit failed \(500[^\n]*Inbound calls to \+14244851544 fail until you run this again/, 'the last line says it too');
  const down = await callWith(w);
  assert.equal(down.password, NEW_PASSWORD);
  assert.equal(down.accepted, false, 'calls really fail in between');
  assert.ok(!r.stdout.includes(NEW_PASSWORD) && !r.stderr.includes(NEW_PASSWORD) && !r.stderr.includes(oldPassword));

  w.livekit.clearFaults();
  const rerun = await runCli(change, { cwd, env });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, /digest password •••• → •••• \(new\)/);
  assert.doesNotMatch(rerun.stdout, /SignalWire: update SWML script/, 'the SWML already has it');
  const up = await callWith(w);
  assert.deepEqual(up, { password: NEW_PASSWORD, accepted: true });
});

test('the SWML update failing leaves the trunk as it was: calls keep working, and nothing says otherwise', { timeout: 60_000 }, async () => {
  const { w, cwd, env, oldPassword } = await setUp();
  w.signalwire!.fault({ match: 'PUT /api/fabric/resources/swml_scripts', status: 500 });
  const r = await runCli(change, { cwd, env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Not done:\n  ✖ SignalWire: update SWML script[^\n]*\n  ✖ LiveKit trunk "create-sip-inbound": digest password •••• → •••• \(new\)/);
  assert.doesNotMatch(r.stderr, /calls .* fail/);
  const trunk = [...w.livekit.trunks.values()][0]!;
  assert.equal(trunk.authPassword, oldPassword, 'the trunk was not touched');
  assert.deepEqual(await callWith(w), { password: oldPassword, accepted: true });
});

test('turning digest auth off changes the trunk first: a SWML that still sends the login gets through', { timeout: 60_000 }, async () => {
  const { w, cwd, env } = await setUp();
  w.signalwire!.fault({ match: 'PUT /api/fabric/resources/swml_scripts', status: 500 });
  const r = await runCli(['--yes', '--number', NUMBER, '--no-check', '--no-sip-auth'], { cwd, env });
  assert.equal(r.code, 1, r.stderr);
  const plan = r.stdout.slice(r.stdout.indexOf('The plan'));
  assert.ok(plan.indexOf('turn digest auth off') < plan.indexOf('SignalWire: update SWML script'), plan);
  assert.equal([...w.livekit.trunks.values()][0]!.authUsername, '');
  assert.ok((await callWith(w)).accepted, 'the old SWML still gets through');
});
