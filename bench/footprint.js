// Footprint: the packed tarball, and what a production install of it puts on disk.
// Needs a build: npm run build. Usage: node bench/footprint.js
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'csi-footprint-'));
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

function du(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return { bytes: st.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(path)) {
    const r = du(join(path, e));
    bytes += r.bytes;
    files += r.files;
  }
  return { bytes, files };
}
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;

try {
  const [pack] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root));
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"footprint-probe","version":"1.0.0","private":true}');
  npm(['install', '--omit=dev', '--no-audit', '--no-fund', join(dir, pack.filename)], app);
  const nm = join(app, 'node_modules');
  const packages = readdirSync(nm).filter((n) => !n.startsWith('.')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(nm, n)) : [n]));
  const installed = du(nm);
  console.log('footprint');
  console.log(`  tarball            ${mb(pack.size)} packed, ${mb(pack.unpackedSize)} unpacked, ${pack.entryCount} files`);
  console.log(`  production install ${mb(installed.bytes)} in ${installed.files} files, ${packages.length} package(s): ${packages.join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
