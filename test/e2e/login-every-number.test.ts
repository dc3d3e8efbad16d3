// A new SIP password reaches every number on the trunk: our SWML script for each of them sends the trunk's
// login, so each is updated with it, not only the number the run was for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scriptNameFor } from '../../src/carriers/signalwire/index.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const SECOND = '+14155550123';
const NEW_PASSWORD = 'new-sip-password-fedcba9876543210';

/** Whether a call to `to`, sending the login its script holds, gets through the trunk. */
async function callTo(w: World, to: string): Promise<{ password: string; accepted: boolean }> {
  const script = [...w.signalwire!.scripts.values()].find((x) => x.display_name === scriptNameFor(to))!;
  const doc = typeof script.contents === 'string' ? JSON.parse(script.contents) : script.contents;
  const { username, password } = doc.sections.main[0].connect;
  try {
    await w.livekit.simulateCall({ to, from: '+15550100000', auth: { username, password } });
    return { password, accepted: true };
  } catch {
    return { password, accepted: false };
  }
}

test('a password change updates every number\'s script before the trunk; calls to both numbers work after', { timeout: 90_000 }, async () => {
  const w = await startWorld({ pg, signalwire: true });
  after(() => w.stop());
  w.signalwire!.addNumber(SECOND);
  const cwd = mkdtempSync(join(tmpdir(), 'csi-login-all-'));
  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0301', ELEVENLABS_API_KEY: 'el-key-not-real-0301', OPENAI_API_KEY: 'oa-key-not-real-0301' };
  for (const n of [NUMBER, SECOND]) {
    const r = await runCli(['--yes', '--number', n, '--no-check'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(w.signalwire!.scripts.size, 2);
  assert.ok((await callTo(w, SECOND)).accepted);

  const from = w.signalwire!.requests.length;
  const r = await runCli(['--yes', '--number', NUMBER, '--no-check', '--livekit-sip-password', NEW_PASSWORD], { cwd, env });
  assert.equal(r.code, 0, r.stderr);
  const lists = w.signalwire!.requests.slice(from).filter((q) => q.method === 'GET' && q.path.split('?')[0] === '/api/fabric/resources/swml_scripts');
  assert.equal(lists.length, 1, "the scripts are listed once: this number's and the others' from one listing");
  const plan = r.stdout.slice(r.stdout.indexOf('The plan'));
  const sibling = plan.indexOf(`SignalWire: update SWML script "${scriptNameFor(SECOND)}"`);
  const trunk = plan.indexOf('LiveKit trunk "create-sip-inbound": digest password');
  assert.ok(sibling > 0 && trunk > sibling, `the other number's script before the trunk:\n${plan}`);
  assert.ok(!r.stdout.includes(NEW_PASSWORD) && !r.stderr.includes(NEW_PASSWORD));
  for (const n of [NUMBER, SECOND]) assert.deepEqual(await callTo(w, n), { password: NEW_PASSWORD, accepted: true }, n);

  // A rerun finds every script in place.
  const again = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env });
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /SignalWire: update SWML script/);
});
