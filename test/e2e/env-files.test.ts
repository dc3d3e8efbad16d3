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

test('no silent rewrite: an owned line whose quoting changes is named in the plan; foreign lines the two readers read differently are named once, left as they are', { timeout: 90_000 }, async () => {
  const w = await startWorld({ pg });
  after(() => w.stop());
  const cwd = mkdtempSync(join(tmpdir(), 'csi-e2e-envquotes-'));
  const foreign = 'FOO=abc#x\nBAR=`tick`\nWEBHOOK_SECRET=abc#defghijkl\nPLAIN=same for both\n';
  writeFileSync(join(cwd, '.env'), `# mine\nAGENT_NAME=\`old-agent\`\n${foreign}`);
  const env = { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0008' };
  const r = await runCli(['--yes', '--number', NUMBER, '--agent-name', 'inbound-agent', '--no-check'], { cwd, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /AGENT_NAME "old-agent" → "inbound-agent" \(backticks → plain\)/);
  const named = r.stdout.split('\n').filter((l) => /dotenv and python-dotenv read/.test(l));
  assert.equal(named.length, 1, `named once:\n${r.stdout}`);
  assert.match(named[0]!, /read 3 lines this tool does not own differently \(left as they are\):$/);
  // One line each, under the heading.
  const each = r.stdout.slice(r.stdout.indexOf(named[0]!) + named[0]!.length).split('\n').slice(1, 4);
  assert.match(each[0]!, /^ +FOO \(line 3\): dotenv reads "abc", python-dotenv "abc#x"$/);
  assert.match(each[1]!, /^ +BAR \(line 4\): dotenv reads "tick", python-dotenv "`tick`"$/);
  assert.match(each[2]!, /^ +WEBHOOK_SECRET \(line 5\): dotenv reads 3 characters \(••••\), python-dotenv 13 characters \(abc…kl\)$/);
  assert.doesNotMatch(r.stdout, /PLAIN|defghij/);
  const text = readFileSync(join(cwd, '.env'), 'utf8');
  assert.ok(text.startsWith(`# mine\nAGENT_NAME=inbound-agent\n${foreign}`), 'foreign lines byte-identical');

  // Same value, only the quoting: still named.
  writeFileSync(join(cwd, '.env'), text.replace('AGENT_NAME=inbound-agent', 'AGENT_NAME=`inbound-agent`'));
  const again = await runCli(['--yes', '--number', NUMBER, '--agent-name', 'inbound-agent', '--no-check'], { cwd, env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /AGENT_NAME: backticks → plain \(rewritten so python-dotenv reads it too\)/);
});
