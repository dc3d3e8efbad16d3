// The launcher refuses a Node.js older than 20.12 in one line naming the version it found (simulated by
// patching process.versions before the launcher runs), and package.json's engines says the same.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'csi-node-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A preload that makes the process report another Node.js version. */
function pretend(version: string): string[] {
  const file = join(dir, `node-${version}.mjs`);
  writeFileSync(
    file,
    `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${version}' } });\n` +
      `Object.defineProperty(process, 'version', { value: 'v${version}' });\n`,
  );
  return ['--import', file];
}

test('Node.js 20.11 (no util.styleText) and 18 are refused in one line naming the version; exit 2', async () => {
  for (const version of ['20.11.1', '18.20.4']) {
    const r = await runCli(['--help'], { nodeArgs: pretend(version) });
    assert.equal(r.code, 2, version);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `create-sip-inbound needs Node.js 20.12 or newer; this is Node.js ${version}. Install a current Node.js (22 LTS, say) and run it again.\n`);
  }
});

test('Node.js 20.12 and 22 pass the launcher', async () => {
  for (const version of ['20.12.0', '22.11.0']) {
    const r = await runCli(['--version'], { nodeArgs: pretend(version) });
    assert.equal(r.code, 0, `${version}: ${r.stderr}`);
  }
});

test('package.json engines asks for the same Node.js', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, '>=20.12');
});
