// `npm start -- <args>` in a clone: build the bundle when it is missing or older than src/, then run the tool.
// A published package ships dist/ and never needs this.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const mtime = (p) => { try { return statSync(p).mtimeMs; } catch { return 0; } };
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : mtime(join(dir, e.name))), 0);

if (mtime(join(root, 'dist', 'cli.js')) < newest(join(root, 'src'))) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js'), '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import('../bin/create-sip-inbound.js');
