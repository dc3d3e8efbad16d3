// Round trips, counted from the stand-ins' request logs: a first run and a rerun with nothing to change,
// both with SignalWire credentials, --yes, and the check. The agent probe's own room and dispatch requests
// are counted apart (they prove the agent, not the setup). Counts, never times.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const ENV = { AGENT_NAME: 'inbound-agent', DEEPGRAM_API_KEY: 'dg-key-not-real-0009', ELEVENLABS_API_KEY: 'el-key-not-real-0009', OPENAI_API_KEY: 'oa-key-not-real-0009' };

/** Requests per service since `mark`, the probe's (LiveKit rooms and dispatch) apart. */
function countSince(w: World, mark: ReturnType<typeof marks>) {
  const lk = w.livekit.requests.slice(mark.lk);
  const sip = lk.filter((r) => r.service === 'SIP');
  const supabase = w.rest.requests.length - mark.sb;
  const signalwire = w.signalwire!.requests.length - mark.sw;
  return {
    livekit: sip.length,
    supabase,
    signalwire,
    total: sip.length + supabase + signalwire,
    probe: lk.length - sip.length,
    methods: sip.map((r) => r.rpc),
    signalwirePaths: w.signalwire!.requests.slice(mark.sw).map((r) => `${r.method} ${r.path.split('?')[0]}`),
  };
}
const marks = (w: World) => ({ lk: w.livekit.requests.length, sb: w.rest.requests.length, sw: w.signalwire!.requests.length });

async function setUp(): Promise<{ w: World; cwd: string; env: Record<string, string> }> {
  const w = await startWorld({ pg, signalwire: true });
  after(() => w.stop());
  w.livekit.registerWorker('inbound-agent');
  return { w, cwd: mkdtempSync(join(tmpdir(), 'csi-trips-')), env: { ...w.env, ...ENV } };
}

test('a first run with SignalWire credentials, check included, sends at most 12 requests', { timeout: 60_000 }, async () => {
  const { w, cwd, env } = await setUp();
  const mark = marks(w);
  const r = await runCli(['--yes', '--number', NUMBER], { cwd, env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Every hop passed/);
  const n = countSince(w, mark);
  assert.ok(n.total <= 12, `a first run sent ${n.total} requests: ${JSON.stringify(n)}`);
  // The key check is the listing the plan uses (fresh enough for the creates to trust); after the apply LiveKit
  // is read back once, for the trunk's login and the check.
  assert.equal(n.methods.filter((m) => m === 'ListSIPInboundTrunk').length, 2, 'the plan, the read-back the check judges');
  assert.equal(n.methods.filter((m) => m === 'ListSIPDispatchRule').length, 2);
  assert.equal(n.signalwirePaths.filter((p) => p === 'GET /api/fabric/resources/swml_scripts').length, 1, 'the scripts listed once');
  assert.equal(n.supabase, 2, 'the row read, then written in one request');
  // The check judges SignalWire from the writes' answers: the number and scripts are read once.
  assert.equal(n.signalwirePaths.filter((p) => p === 'GET /api/relay/rest/phone_numbers').length, 1);
  assert.ok(n.probe > 0, 'the probe ran, counted apart');
});

test('a rerun with nothing to change, check included, sends at most 5 requests, each service read once', { timeout: 60_000 }, async () => {
  const { w, cwd, env } = await setUp();
  assert.equal((await runCli(['--yes', '--number', NUMBER], { cwd, env })).code, 0);
  const mark = marks(w);
  const r = await runCli(['--yes', '--number', NUMBER], { cwd, env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Nothing to change/);
  assert.match(r.stdout, /Every hop passed/);
  const n = countSince(w, mark);
  assert.ok(n.total <= 5, `a no-change rerun sent ${n.total} requests: ${JSON.stringify(n)}`);
  assert.deepEqual(n.methods.sort(), ['ListSIPDispatchRule', 'ListSIPInboundTrunk'], 'LiveKit listed once, for the key check, the plan and the check');
  assert.equal(n.supabase, 1, "the number's row read once: key check, prefill, plan and check");
  assert.deepEqual(n.signalwirePaths.sort(), ['GET /api/fabric/resources/swml_scripts', 'GET /api/relay/rest/phone_numbers']);
});

/**
 * A proxy that, once armed, holds every request until `waves[0]` of them are waiting, then lets them all
 * through, then does the same for `waves[1]`, and so on: a run whose requests wait on each other never fills
 * a wave. After `patienceMs` without a new request it gives up and lets everything through, so a failing run
 * ends and says so.
 */
async function gate(targets: string[], waves: number[], patienceMs = 3000) {
  const held: Array<() => void> = [];
  let open = true;
  let gaveUp = false;
  let wave = 0;
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    wave += 1;
    open = wave >= waves.length;
    clearTimeout(timer);
    held.splice(0).forEach((go) => go());
  };
  const servers = await Promise.all(
    targets.map(async (target) => {
      const to = new URL(target);
      const pass = (req: IncomingMessage, res: ServerResponse) => {
        const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (a) => {
          res.writeHead(a.statusCode ?? 502, a.headers);
          a.pipe(res);
        });
        up.on('error', () => res.destroy());
        req.pipe(up);
      };
      const server = createServer((req, res) => {
        // The probe's room and dispatch calls come after the check's reads: never held.
        if (open || /livekit\.(RoomService|AgentDispatchService)\//.test(req.url ?? '')) return pass(req, res);
        held.push(() => pass(req, res));
        clearTimeout(timer);
        if (held.length >= waves[wave]!) return release();
        timer = setTimeout(() => {
          gaveUp = true;
          wave = waves.length;
          release();
        }, patienceMs);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      after(() => new Promise<void>((resolve) => server.close(() => resolve())));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }),
  );
  return {
    urls: servers,
    arm: () => {
      open = false;
      wave = 0;
    },
    gaveUp: () => gaveUp,
  };
}

test("a rerun's reads of LiveKit, Supabase and SignalWire are all in flight at once (one round trip deep)", { timeout: 60_000 }, async () => {
  const { w, cwd, env } = await setUp();
  // Trunks, rules, the row, the number, the scripts.
  const g = await gate([w.livekit.url, w.rest.url, w.signalwire!.url], [5]);
  const [lk, sb, sw] = g.urls;
  const through = { ...env, LIVEKIT_URL: lk!, SUPABASE_URL: sb!, SIGNALWIRE_SPACE_URL: sw! };
  assert.equal((await runCli(['--yes', '--number', NUMBER], { cwd, env: through })).code, 0);
  g.arm();
  const r = await runCli(['--yes', '--number', NUMBER], { cwd, env: through });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Nothing to change/);
  assert.equal(g.gaveUp(), false, 'the five reads did not wait for each other');
});

test('a first run is 4 round trips deep: the reads, then each service\'s first write side by side, then the second, then the read-back', { timeout: 60_000 }, async () => {
  const { w, cwd, env } = await setUp();
  // Trunks, rules, the row, the number, the scripts · the trunk, the script, the row · the rule, the number · trunks, rules.
  const g = await gate([w.livekit.url, w.rest.url, w.signalwire!.url], [5, 3, 2, 2]);
  const [lk, sb, sw] = g.urls;
  g.arm();
  const r = await runCli(['--yes', '--number', NUMBER], { cwd, env: { ...env, LIVEKIT_URL: lk!, SUPABASE_URL: sb!, SIGNALWIRE_SPACE_URL: sw! } });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Every hop passed/);
  assert.equal(g.gaveUp(), false, 'every wave filled: no request waited on another of its wave');
});
