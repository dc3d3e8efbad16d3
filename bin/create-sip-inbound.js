#!/usr/bin/env -S node --
// `node --`: Node stops reading its own options there, so `--env-file <a new file>` after the script name
// reaches the CLI instead of making Node exit 9 (nodejs/node#54232). npm runs a bin by its shebang line.
// Plain JavaScript on purpose: it must run (and refuse politely) on Node versions the bundle does not support.
// 20.12 is the first 20.x with util.styleText, which the bundled prompts call at the first question.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  console.error(`create-sip-inbound needs Node.js 20.12 or newer; this is Node.js ${process.versions.node}. Install a current Node.js (22 LTS, say) and run it again.`);
  process.exit(2);
}
import('../dist/cli.js').then(
  (cli) => cli.main(process.argv.slice(2)),
  (err) => {
    // Only a checkout can lack the bundle; a published package always has it.
    console.error(err?.code === 'ERR_MODULE_NOT_FOUND' ? 'create-sip-inbound is not built yet: in a clone, run npm start -- <options> (it builds first), or npm run build.' : err);
    process.exit(1);
  },
);
