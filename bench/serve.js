// serve: requests per second and p99 latency of `create-sip-inbound serve` against a bare node:http JSON
// responder with the same payload size, in the same run. Each server runs in its own process, the load
// comes from another (bench/serve-load.js) over loopback. Every round starts each server afresh, in
// a rotated order; the report is the median over rounds. Target: ours ≥ 0.8 × bare throughput.
//
// Ours is the real `serve` command, twice: "signed", its secure setup (SIP credentials in the SWML, signing
// key set: every request is signature-checked, parsed, validated and logged), and "unsigned", the same
// without the signing key (--insecure), which shows what the HMAC costs. The request log goes to /dev/null.
// From dist/ by default (the shipped bundle; `npm run build` first); --source runs src/ through tsx.
// Usage: node bench/serve.js [--source] [--rounds 3] [--seconds 5] [--requests 20000] [--connections 16]
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib.js';

const { values: opt } = parseArgs({
  options: {
    source: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '1' },
  },
});
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const node = process.execPath;

// Obvious fakes: the bench talks to nobody.
const BASE_URL = 'https://swml.bench.invalid';
const SIGNING_KEY = 'PSK_bench_fake_signing_key';
const settings = {
  LIVEKIT_SIP_DOMAIN: 'abc123xyz.sip.livekit.cloud',
  LIVEKIT_SIP_USERNAME: 'bench-fake-user',
  LIVEKIT_SIP_PASSWORD: 'bench-fake-password',
  SIGNALWIRE_SIGNING_KEY: SIGNING_KEY,
  API_BASE_URL: BASE_URL,
};
const serveCommand = (extra) => {
  const args = ['serve', '--port', '0', '--host', '127.0.0.1', '--json', '-f', here('./.no-such-env'), ...extra];
  return !opt.source
    ? [here('../bin/create-sip-inbound.js'), ...args]
    : ['--import', 'tsx', '-e', `import(${JSON.stringify(here('../src/cli.ts'))}).then((m) => m.main(${JSON.stringify(args)}))`];
};

// What SignalWire sends for an inbound call, signed as SignalWire signs it.
const body = JSON.stringify({
  call: {
    call_id: '00000000-0000-4000-8000-000000000001', node_id: 'bench-node', segment_id: '00000000-0000-4000-8000-000000000002',
    call_state: 'created', direction: 'inbound', type: 'phone', from: '+16505300051', to: '+14244851544',
    from_number: '+16505300051', to_number: '+14244851544', headers: [],
    project_id: '00000000-0000-4000-8000-000000000003', space_id: '00000000-0000-4000-8000-000000000004',
  },
  vars: {}, params: {}, envs: {},
});
const signature = createHmac('sha1', SIGNING_KEY).update(`${BASE_URL}/api/swml-inbound${body}`).digest('hex');
const requestBytes = Buffer.from(
  'POST /api/swml-inbound HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `X-SignalWire-Signature: ${signature}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
);

/** Starts a server process; resolves with it and its URL once it prints {"listening": …}. */
async function start(args, env = process.env) {
  const proc = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ proc, url: JSON.parse(line).listening });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${args.join(' ')}`)));
  });
}

async function stop(proc) {
  if (proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  await once(proc, 'exit');
}

async function measure(url, serverPid) {
  const port = new URL(url).port;
  const args = [here('./serve-load.js'), port, opt.connections, opt.requests, opt.seconds, opt.warmup, requestBytes.toString('base64'), String(serverPid)];
  const proc = spawn(node, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of proc.stdout) out += chunk;
  return JSON.parse(out);
}

/** The size of our answer, so the bare responder sends as many bytes. */
async function answerSize(url) {
  const res = await fetch(`${url}/api/swml-inbound`, { method: 'POST', headers: { 'x-signalwire-signature': signature }, body });
  if (res.status !== 200) throw new Error(`serve answered ${res.status} to the signed request`);
  return (await res.arrayBuffer()).byteLength;
}

const targets = {
  signed: () => start(serveCommand([]), { ...process.env, ...settings }),
  unsigned: () => start(serveCommand(['--insecure']), { ...process.env, ...settings, SIGNALWIRE_SIGNING_KEY: '' }),
  bare: () => start([here('./serve-bare.js'), String(size)]),
};
const names = Object.keys(targets);
const rounds = Number(opt.rounds);
const results = Object.fromEntries(names.map((n) => [n, []]));
let size = 0;
{
  const probe = await targets.signed();
  size = await answerSize(probe.url).finally(() => stop(probe.proc));
}
for (let round = 0; round < rounds; round++) {
  // Rotate the order so drift in machine load does not always hit the same server.
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const server = await targets[name]();
    try {
      const r = await measure(server.url, server.proc.pid);
      if (r.failures) throw new Error(`${name}: ${r.failures} of ${r.requests} requests did not get 200`);
      results[name].push(r);
      const cpu = r.cpuUsPerRequest === undefined ? '' : `  server CPU ${r.cpuUsPerRequest.toFixed(1)} µs/request`;
      process.stderr.write(`  round ${round + 1} ${name.padEnd(8)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99.toFixed(2)} ms${cpu}  (${r.requests} requests in ${r.seconds.toFixed(1)} s)\n`);
    } finally {
      await stop(server.proc);
    }
  }
}

const summary = (name) => ({
  rps: median(results[name].map((r) => r.rps)),
  p99: median(results[name].map((r) => r.p99)),
  cpu: median(results[name].map((r) => r.cpuUsPerRequest ?? NaN)),
});
const bare = summary('bare');
console.log(
  `serve, median of ${rounds} rounds, ${opt.connections} connections, ≤${opt.requests} requests or ${opt.seconds} s each ` +
    `(node ${process.version}, ${!opt.source ? 'dist' : 'source via tsx'}, ${size}-byte answer)`,
);
let met = true;
for (const name of names) {
  const s = summary(name);
  const ratio = s.rps / bare.rps;
  const cpu = Number.isNaN(s.cpu) ? '' : `   server CPU ${s.cpu.toFixed(1).padStart(5)} µs/request`;
  const verdict = name === 'bare' ? '' : `   ${ratio.toFixed(2)} of bare${ratio >= 0.8 ? '' : ' (target 0.80 not met)'}`;
  if (name !== 'bare' && ratio < 0.8) met = false;
  console.log(`  ${name.padEnd(8)} ${s.rps.toFixed(0).padStart(7)} req/s   p99 ${s.p99.toFixed(2).padStart(6)} ms${cpu}${verdict}`);
}
process.exitCode = met ? 0 : 1;
