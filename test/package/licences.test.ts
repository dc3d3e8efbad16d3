// The package ships its own licence and the licences of every package bundled into dist/ (read from the
// build's metafile), and npm would publish both. npm test builds first, so dist/ is fresh here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'csi-notices-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('LICENSE is the MIT licence package.json names', () => {
  assert.equal(JSON.parse(read('package.json')).license, 'MIT');
  assert.match(read('LICENSE'), /^MIT License\n\nCopyright \(c\) \d{4} /);
});

test('every package in the bundle appears in THIRD_PARTY_NOTICES with its version and licence text', () => {
  const meta = JSON.parse(read('dist/metafile-esm.json')) as { inputs: Record<string, unknown> };
  const dirs = new Set(Object.keys(meta.inputs).flatMap((i) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1] ?? []));
  assert.ok(dirs.size > 20, `the bundle holds ${dirs.size} packages`);
  const notices = read('THIRD_PARTY_NOTICES');
  for (const d of dirs) {
    const pkg = JSON.parse(read(join(d, 'package.json'))) as { name: string; version: string; license: string };
    assert.ok(notices.includes(`\n- ${pkg.name} ${pkg.version}: ${pkg.license}\n`), `${pkg.name} ${pkg.version} is listed`);
    const section = notices.split(`\n${pkg.name} ${pkg.version}\nLicense: `)[1];
    assert.ok(section && section.length > 200, `${pkg.name} ${pkg.version} has its licence text`);
  }
  for (const first of ['livekit-server-sdk', '@livekit/protocol', '@clack/prompts', '@supabase/supabase-js', 'libphonenumber-js', 'ws'])
    assert.match(notices, new RegExp(`\\n- ${first.replace('/', '\\/')} `), `${first} is bundled and listed`);
});

test('the build regenerates the notices: a fresh rendering equals the file', async () => {
  const fresh = join(dir, 'NOTICES');
  await run(process.execPath, [join(ROOT, 'scripts/third-party-notices.mjs'), fresh]);
  assert.equal(readFileSync(fresh, 'utf8'), read('THIRD_PARTY_NOTICES'));
});

test('npm pack lists LICENSE and THIRD_PARTY_NOTICES, and not the metafile', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const f of ['LICENSE', 'THIRD_PARTY_NOTICES', 'bin/create-sip-inbound.js', 'dist/cli.js']) assert.ok(files.includes(f), `${f} is packed`);
  assert.ok(!files.some((f) => f.includes('metafile')), 'the metafile stays out');
});
