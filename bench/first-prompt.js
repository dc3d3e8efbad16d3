// Time until the wizard's first prompt is on screen, in a real pseudo-terminal, against `node -e ''`
// spawned the same way (medians, difference). Needs a build: npm run build.
// Usage: node bench/first-prompt.js [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import { median } from './lib.js';

const bin = fileURLToPath(new URL('../bin/create-sip-inbound.js', import.meta.url));
const rounds = Number(process.argv[2] ?? 15);
const cwd = mkdtempSync(join(tmpdir(), 'csi-bench-')); // no .env: a first run
const env = { PATH: process.env.PATH, HOME: cwd, TERM: 'xterm-256color' };

/** ms from spawn until `until` appears in the output (or the process exits, for the baseline). */
function measure(args, until) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = pty.spawn(process.execPath, args, { cwd, env, cols: 100, rows: 30 });
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      p.kill();
    };
    const timer = setTimeout(() => reject(new Error(`no "${until}" within 10 s: ${out}`)), 10_000);
    p.onData((d) => {
      out += d;
      if (until && out.includes(until)) (clearTimeout(timer), finish());
    });
    p.onExit(() => {
      clearTimeout(timer);
      if (!until) finish();
      else if (!done) reject(new Error(`exited before "${until}": ${out}`));
    });
  });
}

const base = [];
const wizard = [];
await measure([bin], 'LiveKit URL'); // warm the file cache
for (let i = 0; i < rounds; i++) {
  base.push(await measure(['-e', ''], ''));
  wizard.push(await measure([bin], 'LiveKit URL'));
}
rmSync(cwd, { recursive: true, force: true });
const b = median(base);
const w = median(wizard);
console.log(`first prompt, median of ${rounds} runs in a pseudo-terminal (node ${process.version})`);
console.log(`  node -e ''           ${b.toFixed(1).padStart(7)} ms`);
console.log(`  first prompt shown   ${w.toFixed(1).padStart(7)} ms   +${(w - b).toFixed(1)} ms over node -e '' (aim: within 150 ms)`);
