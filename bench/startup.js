// Startup: `--version` and `--help` against `node -e ''` in the same run (medians, ratio).
// Needs a build: npm run build. Usage: node bench/startup.js [rounds]
import { fileURLToPath } from 'node:url';
import { compare } from './lib.js';

const bin = fileURLToPath(new URL('../bin/create-sip-inbound.js', import.meta.url));
const rounds = Number(process.argv[2] ?? 30);
const node = process.execPath;
const result = compare(
  [
    { name: "node -e ''", cmd: node, args: ['-e', ''] },
    { name: '--version', cmd: node, args: [bin, '--version'] },
    { name: '--help', cmd: node, args: [bin, '--help'] },
    { name: 'swml --help', cmd: node, args: [bin, 'swml', '--help'] },
  ],
  rounds,
);
const base = result["node -e ''"];
console.log(`startup, median of ${rounds} runs (node ${process.version})`);
for (const [name, ms] of Object.entries(result))
  console.log(`  ${name.padEnd(12)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / base).toFixed(2)}× baseline   +${(ms - base).toFixed(1)} ms`);
