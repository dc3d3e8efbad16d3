// The built binary against the stand-ins, on a .env kept as people keep it: a symlink into a shared folder,
// owned by another user, readable by others. The run writes through the link, keeps the owner, tightens the
// mode and says so, and its plan shows each .env value old → new, secrets masked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const ROOT = process.getuid?.() === 0;

test('a symlinked, shared, 0644 .env: written through the link, owner kept, made 0600 with one line; the plan shows values', { timeout: 90_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = mkdtempSync(join(tmpdir(), 'csi-e2e-envfiles-'));
  mkdirSync(join(cwd, 'shared'));
  const target = join(cwd, 'shared', 'project.env');
  writeFileSync(target, '# mine\r\nAGENT_NAME=old-agent   # the name my worker registers\r\n');
  chmodSync(target, 0o644);
  if (ROOT) chownSync(target, 12345, 23456);
  symlinkSync('shared/project.env', join(cwd, '.env'));

  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0007' };
  const first = await runCli(['--yes', '--number', NUMBER, '--agent-name', 'inbound-agent', '--no-check'], { cwd, env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /AGENT_NAME "old-agent" → "inbound-agent"/);
  assert.match(first.stdout, /LIVEKIT_API_SECRET \S+…\S+/, 'a secret shows masked');
  assert.ok(!first.stdout.includes(w.env.LIVEKIT_API_SECRET!), 'never in full');
  assert.match(first.stdout, /\.env was readable by other users \(0644\); it is now 0600 \(owner only\)\./);

  assert.ok(lstatSync(join(cwd, '.env')).isSymbolicLink(), 'the link is still a link');
  const text = readFileSync(target, 'utf8');
  assert.ok(text.startsWith('# mine\r\nAGENT_NAME=inbound-agent   # the name my worker registers\r\n'), JSON.stringify(text));
  assert.equal(parse(text).LIVEKIT_URL, w.env.LIVEKIT_URL);
  const st = statSync(target);
  assert.equal(st.mode & 0o777, 0o600);
  if (ROOT) assert.deepEqual([st.uid, st.gid], [12345, 23456]);
  assert.equal(readFileSync(join(cwd, '.env.bak'), 'utf8'), '# mine\r\nAGENT_NAME=old-agent   # the name my worker registers\r\n');

  // Nothing to change, but the file was opened up again: it is tightened, and the run says so.
  chmodSync(target, 0o644);
  const again = await runCli(['--yes', '--number', NUMBER, '--agent-name', 'inbound-agent', '--no-check'], { cwd, env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);
  assert.match(again.stdout, /\.env was readable by other users \(0644\); it is now 0600 \(owner only\)\./);
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.equal(readFileSync(target, 'utf8'), text, 'not rewritten');
});
