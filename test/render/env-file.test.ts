// .env written as the user keeps it: through a symlink, with its owner, never through a symlinked backup,
// refused when read-only, tightened when others can read it; temp files covered by `.env*`, removed on exit
// and swept after a kill. The tests run as root, so ownership is checked with a made-up uid/gid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepStaleTemps, tempPathFor, tightenSecretFiles, writeEnvFile } from '../../src/services/env-file.ts';
import { UsageError } from '../../src/errors.ts';

const ROOT = process.getuid?.() === 0;
const UID = 12345;
const GID = 23456;
const dir = () => mkdtempSync(join(tmpdir(), 'csi-envfile-'));

test('a symlinked .env: its target is updated atomically, the link stays a link', () => {
  const d = dir();
  mkdirSync(join(d, 'shared'));
  const target = join(d, 'shared', 'secrets.env');
  writeFileSync(target, 'A=1\n');
  symlinkSync('shared/secrets.env', join(d, '.env'));
  writeEnvFile(join(d, '.env'), 'A=2\n');
  assert.ok(lstatSync(join(d, '.env')).isSymbolicLink());
  assert.equal(readlinkSync(join(d, '.env')), 'shared/secrets.env');
  assert.equal(readFileSync(target, 'utf8'), 'A=2\n');
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(d, '.env.bak'), 'utf8'), 'A=1\n');
  assert.deepEqual(readdirSync(join(d, 'shared')), ['secrets.env'], 'no temp file beside the target');
});

test('a dangling symlinked .env: the file is made where it points', () => {
  const d = dir();
  symlinkSync('real.env', join(d, '.env'));
  writeEnvFile(join(d, '.env'), 'A=1\n');
  assert.ok(lstatSync(join(d, '.env')).isSymbolicLink());
  assert.equal(readFileSync(join(d, 'real.env'), 'utf8'), 'A=1\n');
});

test('a symlinked .env.bak is replaced, never written through', () => {
  const d = dir();
  writeFileSync(join(d, 'victim'), 'untouched\n');
  writeFileSync(join(d, '.env'), 'SECRET=old\n');
  symlinkSync('victim', join(d, '.env.bak'));
  writeEnvFile(join(d, '.env'), 'SECRET=new\n');
  assert.equal(readFileSync(join(d, 'victim'), 'utf8'), 'untouched\n');
  assert.ok(!lstatSync(join(d, '.env.bak')).isSymbolicLink());
  assert.equal(readFileSync(join(d, '.env.bak'), 'utf8'), 'SECRET=old\n');
  assert.equal(statSync(join(d, '.env.bak')).mode & 0o777, 0o600);
});

test('owner and group of an existing .env (and its backup) are kept when root writes it', { skip: !ROOT && 'needs root' }, () => {
  const d = dir();
  const path = join(d, '.env');
  writeFileSync(path, 'A=1\n');
  chownSync(path, UID, GID);
  writeEnvFile(path, 'A=2\n');
  for (const p of [path, `${path}.bak`]) {
    const st = statSync(p);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [UID, GID, 0o600], p);
  }
});

test('a new .env made under root belongs to the owner of its directory', { skip: !ROOT && 'needs root' }, () => {
  const d = dir();
  chownSync(d, UID, GID);
  writeEnvFile(join(d, '.env'), 'A=1\n');
  const st = statSync(join(d, '.env'));
  assert.deepEqual([st.uid, st.gid], [UID, GID]);
});

test('a read-only .env is refused in one line and left as it was', () => {
  const d = dir();
  const path = join(d, '.env');
  writeFileSync(path, 'A=1\n');
  chmodSync(path, 0o444);
  assert.throws(
    () => writeEnvFile(path, 'A=2\n'),
    (e: Error) => e instanceof UsageError && /\.env is read-only \(mode 0444\): make it writable \(chmod u\+w .*\.env\)/.test(e.message) && !e.message.includes('\n'),
  );
  assert.equal(readFileSync(path, 'utf8'), 'A=1\n');
  assert.deepEqual(readdirSync(d), ['.env']);
});

test('a .env or SWML file others can read is made owner-only, with one line each; 0600 ones are left alone', () => {
  const d = dir();
  const env = join(d, '.env');
  const swml = join(d, 'signalwire-swml.json');
  writeFileSync(env, 'A=1\n');
  chmodSync(env, 0o644);
  writeFileSync(swml, '{}');
  chmodSync(swml, 0o640);
  const said = tightenSecretFiles([env, swml, join(d, 'missing')]);
  assert.deepEqual(said, [
    `${env} was readable by other users (0644); it is now 0600 (owner only).`,
    `${swml} was readable by other users (0640); it is now 0600 (owner only).`,
  ]);
  assert.equal(statSync(env).mode & 0o777, 0o600);
  assert.deepEqual(tightenSecretFiles([env, swml]), [], 'nothing to say the second time');
});

test('temp files are named .env.tmp-<pid>, so `.env*` ignore patterns cover them', () => {
  assert.equal(tempPathFor('/p/.env', 42), '/p/.env.tmp-42');
  assert.match('.env.tmp-42', /^\.env/);
});

test('a temp file is removed when the process exits, even by process.exit mid-way', () => {
  const d = dir();
  const tmp = join(d, '.env.tmp-x');
  const mod = new URL('../../src/services/env-file.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(mod)}).then((m) => { m.removeOnExit(${JSON.stringify(tmp)}); require('node:fs').writeFileSync(${JSON.stringify(tmp)}, 'SECRET=1'); process.exit(7); })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 7, r.stderr);
  assert.equal(existsSync(tmp), false);
});

test('temp files a killed run left are swept by the next run; a live run\'s are not', () => {
  const d = dir();
  const path = join(d, '.env');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  const stale = [tempPathFor(path, deadPid), tempPathFor(`${path}.bak`, deadPid), join(d, `..env.${deadPid}.tmp`)];
  const live = tempPathFor(path, process.ppid);
  for (const p of [...stale, live]) writeFileSync(p, 'SECRET=1\n');
  writeFileSync(join(d, 'unrelated.tmp-1'), 'x');
  assert.deepEqual(sweepStaleTemps(path).sort(), stale.sort());
  assert.deepEqual(readdirSync(d).sort(), [`.env.tmp-${process.ppid}`, 'unrelated.tmp-1']);
});
