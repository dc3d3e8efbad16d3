// Round trips: how many requests a setup sends to LiveKit, Supabase and SignalWire, and how many of them
// wait on each other. Runs the built CLI against the test stand-ins (LiveKit, PostgREST over a throwaway
// Postgres, SignalWire) and counts from their request logs: (a) a first run with SignalWire credentials,
// --yes, check included; (b) a rerun with nothing to change, check included. The agent probe's own room
// and dispatch requests are counted apart. Depth: each run is timed with and without a delay added to every
// service request (a proxy in front of each stand-in; the probe's requests are not delayed), and the
// difference divided by the delay. Medians over the rounds; the same for a baseline build (main by default).
//
// Usage: npm run build && node bench/round-trips.js [--rounds 3] [--delay 300] [--baseline main|<ref>|none]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: opt } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, delay: { type: 'string', default: '300' }, baseline: { type: 'string', default: 'main' } },
});
const rounds = Number(opt.rounds);
const delayMs = Number(opt.delay);

// The stand-ins are TypeScript: load them through tsx (a dev dependency).
const { register } = await import('tsx/esm/api');
register();
const { startWorld, NUMBER } = await import('../test/helpers/world.ts');
const { startPostgres } = await import('../test/stand-ins/postgres.ts');

/**
 * A reverse proxy that holds each request `delay(req)` ms before passing it on, and notes when each request
 * it delays arrived and when its answer was sent (the probe's requests are passed on at once, unnoted).
 */
async function delayingProxy(target, delay, spans) {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const ms = delay(req);
    if (ms !== undefined) {
      const span = { from: performance.now(), to: Infinity };
      spans.push(span);
      res.on('finish', () => (span.to = performance.now()));
      if (process.env.TRIPS_TRACE) process.stderr.write(`${(span.from / 1000).toFixed(3)} ${req.method} ${to.port} ${req.url.slice(0, 70)}\n`);
    }
    setTimeout(() => {
      const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    }, ms ?? 0);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}

function runCli(bin, args, cwd, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`));
      else resolve(ms);
    });
  });
}

const isProbe = (r) => r.service !== 'SIP';

/**
 * Requests that wait on each other, counted from the log: a request sent after an answer of the current
 * wave arrived may have waited for it, so it starts the next wave. Exact when the delay is much longer
 * than the CPU work between requests.
 */
function waves(spans) {
  let count = 0;
  let firstAnswer = -Infinity;
  for (const x of [...spans].sort((a, b) => a.from - b.from)) {
    if (x.from > firstAnswer) {
      count += 1;
      firstAnswer = x.to;
    } else firstAnswer = Math.min(firstAnswer, x.to);
  }
  return count;
}

/**
 * One world, two runs (first, rerun), each counted from the stand-ins' logs. Every service request but the
 * probe's is held `delay` ms; the span from the first such request to the last answer leaves out the
 * process start and the probe's polling, whose timing would drown a few round trips.
 */
async function measure(bin, pg, delay) {
  const w = await startWorld({ pg, signalwire: true });
  w.livekit.registerWorker('inbound-agent');
  const spans = [];
  const proxies = await Promise.all([
    delayingProxy(w.livekit.url, (req) => (/\/twirp\/livekit\.SIP\//.test(req.url) ? delay : undefined), spans),
    delayingProxy(w.rest.url, () => delay, spans),
    delayingProxy(w.signalwire.url, () => delay, spans),
  ]);
  const cwd = mkdtempSync(join(tmpdir(), 'csi-trips-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: cwd,
    NO_COLOR: '1',
    ...w.env,
    LIVEKIT_URL: proxies[0].url,
    SUPABASE_URL: proxies[1].url,
    SIGNALWIRE_SPACE_URL: proxies[2].url,
    AGENT_NAME: 'inbound-agent',
  };
  const counted = async () => {
    const lkBefore = w.livekit.requests.length;
    const sbBefore = w.rest.requests.length;
    const swBefore = w.signalwire.requests.length;
    spans.length = 0;
    const ms = await runCli(bin, ['--yes', '--number', NUMBER], cwd, env);
    const lk = w.livekit.requests.slice(lkBefore);
    const probe = lk.filter(isProbe).length;
    const livekit = lk.length - probe;
    const supabase = w.rest.requests.length - sbBefore;
    const signalwire = w.signalwire.requests.length - swBefore;
    const span = Math.max(...spans.map((x) => x.to)) - Math.min(...spans.map((x) => x.from));
    return { ms, span, waves: waves(spans), livekit, supabase, signalwire, total: livekit + supabase + signalwire, probe };
  };
  try {
    return { first: await counted(), rerun: await counted() };
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    await w.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Builds `ref` into a temp dir (git archive + tsup, node_modules linked) and returns its bin. */
function buildRef(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'csi-baseline-'));
  execFileSync('sh', ['-c', `git -C "${root}" archive "${ref}" | tar -x -C "${dir}"`]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js'), '--silent'], { cwd: dir, stdio: 'ignore' });
  return { bin: join(dir, 'bin/create-sip-inbound.js'), dir };
}

const current = join(root, 'bin/create-sip-inbound.js');
if (!existsSync(join(root, 'dist/cli.js'))) {
  console.error('Build first: npm run build');
  process.exit(2);
}
const builds = [{ name: 'this tree', bin: current }];
if (opt.baseline !== 'none') {
  process.stderr.write(`building ${opt.baseline} for the baseline…\n`);
  const b = buildRef(opt.baseline);
  builds.push({ name: opt.baseline, bin: b.bin, dir: b.dir });
}

const pg = await startPostgres();
const results = Object.fromEntries(builds.map((b) => [b.name, { plain: [], delayed: [] }]));
try {
  // Interleaved, so that whatever else runs on the machine hits every build alike.
  for (let i = 0; i < rounds; i++)
    for (const b of builds) {
      results[b.name].plain.push(await measure(b.bin, pg, 0));
      results[b.name].delayed.push(await measure(b.bin, pg, delayMs));
    }
} finally {
  await pg.stop();
  for (const b of builds) if (b.dir) rmSync(b.dir, { recursive: true, force: true });
}

console.log(`round trips, median of ${rounds} rounds, ${delayMs} ms added per service request for the depth (node ${process.version})`);
const summary = {};
for (const b of builds) {
  const r = results[b.name];
  console.log(`  ${b.name}`);
  summary[b.name] = {};
  for (const run of ['first', 'rerun']) {
    const m = (k, set = r.plain) => median(set.map((x) => x[run][k]));
    const depth = median(r.plain.map((x, j) => (r.delayed[j][run].span - x[run].span) / delayMs));
    summary[b.name][run] = { total: m('total'), depth: m('waves', r.delayed), ms: m('ms', r.delayed) };
    console.log(
      `    ${run.padEnd(6)} ${String(m('total')).padStart(3)} requests (LiveKit ${m('livekit')}, Supabase ${m('supabase')}, SignalWire ${m('signalwire')}; ` +
        `probe ${m('probe')} apart)   depth ${depth.toFixed(1)} timed, ${m('waves', r.delayed)} counted   whole run ${m('ms').toFixed(0)} ms, ${m('ms', r.delayed).toFixed(0)} ms delayed`,
    );
  }
}
if (builds.length > 1) {
  const [a, b] = builds.map((x) => summary[x.name]);
  for (const run of ['first', 'rerun'])
    console.log(
      `  ${run}: ${(a[run].total / b[run].total).toFixed(2)}× the requests of ${builds[1].name}, ` +
        `${(a[run].depth / b[run].depth).toFixed(2)}× the depth, ${(a[run].ms / b[run].ms).toFixed(2)}× the delayed wall time`,
    );
}
