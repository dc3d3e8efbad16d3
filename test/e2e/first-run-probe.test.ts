// A first run that creates the starter agent cannot find it running (it is not even installed yet): the check
// skips the agent probe at once with one calm line, instead of waiting 20 s for a red one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

test('the run that creates the starter agent skips the probe in one calm line, sending it no request', { timeout: 60_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = mkdtempSync(join(tmpdir(), 'csi-first-probe-'));
  const env = { ...w.env, AGENT_NAME: 'inbound-agent', DEEPGRAM_API_KEY: 'dg-key-not-real-2402' };
  const r = await runCli(['--yes', '--number', NUMBER, '--agent', 'python'], { cwd, env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.ok(existsSync(join(cwd, 'agent.py')), 'the starter agent was created');
  const line = r.stdout.split('\n').filter((l) => /Agent probe/.test(l));
  assert.equal(line.length, 1, r.stdout);
  assert.match(line[0]!, /^– Agent probe: skipped, the starter agent was just created: install and start it \(the next steps say how\), then run `[^`]*create-sip-inbound(\.js)? check`$/);
  assert.doesNotMatch(r.stdout, /Waiting up to/);
  assert.deepEqual(w.livekit.requests.filter((q) => q.service !== 'SIP'), [], 'no probe room, no dispatch');
});
