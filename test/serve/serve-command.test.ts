// `create-sip-inbound serve` as a real process, started from source: the listening line, refusals with
// exit 2, SIGTERM ending it cleanly, and no secret in anything it prints.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import http from 'node:http';
import { SETTINGS, type Setting } from '../../src/settings.ts';
import { FAKE_SIGNING_KEY, FAKE_SIP_PASSWORD, FAKE_SIP_USER, SIP_DOMAIN, request, signalwireBody } from './helpers.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).href;

interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const children: ChildProcess[] = [];
// A failed assertion must not leave a server running (and the test process waiting on it).
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Runs `main(['serve', ...args])` in a child process with only the given settings in its environment. */
function serve(args: string[], env: Record<string, string>): Child {
  const clean: NodeJS.ProcessEnv = {};
  const ours = new Set((SETTINGS as readonly Setting[]).flatMap((s) => [s.key, ...(s.aliases ?? [])]));
  for (const [k, v] of Object.entries(process.env)) if (!ours.has(k) && k !== 'CI') clean[k] = v;
  const code = `import(${JSON.stringify(CLI)}).then((m) => m.main(${JSON.stringify(['serve', '--env-file', '/nonexistent/.env', ...args])}))`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', code], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let signalledAt = 0;
  const kill = proc.kill.bind(proc);
  proc.kill = (sig?: NodeJS.Signals | number) => ((signalledAt = performance.now()), kill(sig));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, ms: signalledAt ? performance.now() - signalledAt : 0 })),
  );
  return { proc, output: () => out, exited };
}

async function listeningOn(child: Child, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output());
    if (m) return m[1]!;
    if (child.proc.exitCode !== null) throw new Error(`serve exited early:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`no listening line:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const LOCAL = ['--port', '0', '--host', '127.0.0.1'];
const CREDENTIALS = { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN, LIVEKIT_SIP_USERNAME: FAKE_SIP_USER, LIVEKIT_SIP_PASSWORD: FAKE_SIP_PASSWORD };

test('serves, then SIGTERM finishes the request in flight and exits 0; no secret is printed', { timeout: 20_000 }, async () => {
  const child = serve(LOCAL, { ...CREDENTIALS, SIGNALWIRE_SIGNING_KEY: FAKE_SIGNING_KEY, API_BASE_URL: 'https://swml.example.test' });
  const base = await listeningOn(child);
  assert.match(child.output(), /https:\/\/swml\.example\.test\/api\/swml-inbound/);
  assert.match(child.output(), /SWML Script/);

  const body = signalwireBody();
  const sig = createHmac('sha1', FAKE_SIGNING_KEY).update(`https://swml.example.test/api/swml-inbound${body}`).digest('hex');
  const ok = await request(base, '/api/swml-inbound', { method: 'POST', headers: { 'x-signalwire-signature': sig }, body });
  assert.equal(ok.status, 200);
  assert.equal((await request(base, '/api/swml-inbound', { method: 'POST', body })).status, 403);

  // A request whose body is still arriving when SIGTERM comes. It rides a connection the server has
  // already served once, so it is surely accepted and in progress when the signal lands.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (onRequest: (req: http.ClientRequest) => void) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/api/swml-inbound`, {
        agent,
        method: 'POST',
        headers: { 'content-length': body.length, 'x-signalwire-signature': sig },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      onRequest(req);
    });
  assert.equal(await post((req) => req.end(body)), 200);
  const inFlight = post((req) => {
    req.write(body.slice(0, 20));
    setTimeout(() => {
      child.proc.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(20)), 200);
    }, 150);
  });
  assert.equal(await inFlight, 200);
  const exit = await child.exited;
  assert.equal(exit.code, 0, child.output());
  assert.ok(exit.ms < 3000, `took ${exit.ms} ms to stop`);
  assert.match(child.output(), /SIGTERM/);
  assert.match(child.output(), /POST \/api\/swml-inbound 200/);
  for (const secret of [FAKE_SIP_PASSWORD, FAKE_SIGNING_KEY]) assert.ok(!child.output().includes(secret), 'a secret was printed');
});

test('SIGINT stops an idle server with exit 0; --json prints where it listens', { timeout: 20_000 }, async () => {
  const child = serve([...LOCAL, '--json'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
  const base = await listeningOn(child);
  assert.ok(child.output().includes(JSON.stringify({ listening: base, endpoint: `${base}/api/swml-inbound`, externalUrl: null })));
  assert.match(child.output(), /set API_BASE_URL/);
  child.proc.kill('SIGINT');
  const exit = await child.exited;
  assert.equal(exit.code, 0, child.output());
  assert.ok(exit.ms < 2000, `took ${exit.ms} ms to stop`);
});

test('SIP credentials without a signing key: refuses to start (exit 2) unless --insecure', { timeout: 20_000 }, async () => {
  const refused = serve(LOCAL, CREDENTIALS);
  const exit = await refused.exited;
  assert.equal(exit.code, 2);
  const out = refused.output().trim();
  assert.equal(out.split('\n').length, 1, out);
  assert.match(out, /SIP password/);
  assert.match(out, /SIGNALWIRE_SIGNING_KEY/);
  assert.match(out, /--insecure/);
  assert.ok(!out.includes(FAKE_SIP_PASSWORD));

  const insecure = serve([...LOCAL, '--insecure'], CREDENTIALS);
  const base = await listeningOn(insecure);
  assert.equal((await request(base, '/api/swml-inbound?to=%2B14244851544')).status, 200);
  assert.match(insecure.output(), /--insecure/);
  insecure.proc.kill('SIGTERM');
  assert.equal((await insecure.exited).code, 0);
  assert.ok(!insecure.output().includes(FAKE_SIP_PASSWORD));
});

test('missing SIP domain, a taken port, a bad --port: one line, exit 2', { timeout: 20_000 }, async () => {
  const noDomain = serve(LOCAL, {});
  assert.equal((await noDomain.exited).code, 2);
  assert.match(noDomain.output(), /--livekit-sip-domain \(LIVEKIT_SIP_DOMAIN\)/);

  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = String((blocker.address() as net.AddressInfo).port);
  try {
    const taken = serve(['--port', port, '--host', '127.0.0.1'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
    assert.equal((await taken.exited).code, 2);
    assert.equal(taken.output().trim().split('\n').length, 1, taken.output());
    assert.match(taken.output(), new RegExp(`Port ${port} is already in use.*--port`));
  } finally {
    blocker.close();
  }

  const badPort = serve(['--port', 'eighty'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
  assert.equal((await badPort.exited).code, 2);
  assert.match(badPort.output(), /--port/);
});
