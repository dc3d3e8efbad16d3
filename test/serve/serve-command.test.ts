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
  const json = JSON.stringify({ listening: base, endpoint: `${base}/api/swml-inbound`, externalUrl: null });
  // stdout and stderr are separate pipes: the JSON line may arrive after the listening line.
  for (let i = 0; i < 100 && !child.output().includes(json); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(child.output().includes(json), child.output());
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

const sign = (url: string, body: string) => createHmac('sha1', FAKE_SIGNING_KEY).update(url + body).digest('hex');

test('a signing key without API_BASE_URL: refuses to start naming both fixes, unless --trust-proxy', { timeout: 20_000 }, async () => {
  const refused = serve(LOCAL, { ...CREDENTIALS, SIGNALWIRE_SIGNING_KEY: FAKE_SIGNING_KEY });
  assert.equal((await refused.exited).code, 2);
  const out = refused.output().trim();
  assert.equal(out.split('\n').length, 1, out);
  assert.match(out, /--api-base-url \(API_BASE_URL\)/);
  assert.match(out, /--trust-proxy/);
  for (const secret of [FAKE_SIP_PASSWORD, FAKE_SIGNING_KEY]) assert.ok(!out.includes(secret));

  const trusting = serve([...LOCAL, '--trust-proxy'], { ...CREDENTIALS, SIGNALWIRE_SIGNING_KEY: FAKE_SIGNING_KEY });
  const base = await listeningOn(trusting);
  assert.match(trusting.output(), /--trust-proxy/);
  const body = signalwireBody();
  const url = 'https://public.example.test/api/swml-inbound';
  const post = (headers: Record<string, string>) => request(base, '/api/swml-inbound', { method: 'POST', headers: { 'x-signalwire-signature': sign(url, body), ...headers }, body });
  assert.equal((await post({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example.test' })).status, 200);
  assert.equal((await post({ forwarded: 'for=192.0.2.60;proto=https;host=public.example.test' })).status, 200);
  assert.equal((await post({})).status, 403, 'signed for the public host, but nothing names it');
  trusting.proc.kill('SIGTERM');
  assert.equal((await trusting.exited).code, 0);
  for (const secret of [FAKE_SIP_PASSWORD, FAKE_SIGNING_KEY]) assert.ok(!trusting.output().includes(secret));
});

test('API_BASE_URL with user:pass@: signed without them gets 200; the password is never printed', { timeout: 20_000 }, async () => {
  const password = 'FAKE-basic-auth-pass-0000';
  const child = serve([...LOCAL, '--json', '--trust-proxy'], {
    ...CREDENTIALS,
    SIGNALWIRE_SIGNING_KEY: FAKE_SIGNING_KEY,
    API_BASE_URL: `https://swml-user:${password}@swml.example.test`,
  });
  const base = await listeningOn(child);
  for (let i = 0; i < 100 && !child.output().includes('"externalUrl"'); i++) await new Promise((r) => setTimeout(r, 20));
  // What to paste keeps the user name so the person recognises it; the password is masked.
  assert.match(child.output(), /https:\/\/swml-user:••••@swml\.example\.test\/api\/swml-inbound/);
  assert.match(child.output(), /"externalUrl":"https:\/\/swml-user:••••@swml\.example\.test\/api\/swml-inbound"/);
  assert.match(child.output(), /Signature for https:\/\/swml\.example\.test\/api\/swml-inbound/);
  assert.match(child.output(), /--trust-proxy is not needed/);

  const body = signalwireBody({ from: 'Unknown Caller' });
  const ok = await request(base, '/api/swml-inbound', {
    method: 'POST',
    headers: { 'x-signalwire-signature': sign('https://swml.example.test/api/swml-inbound', body) },
    body,
  });
  assert.equal(ok.status, 200);
  const replay = await request(base, '/api/swml-inbound', {
    method: 'POST',
    headers: { 'x-signalwire-signature': sign('https://other.example.test/api/swml-inbound', body), 'x-forwarded-host': 'other.example.test', 'x-forwarded-proto': 'https' },
    body,
  });
  assert.equal(replay.status, 403, 'forwarded headers must not override API_BASE_URL');
  child.proc.kill('SIGTERM');
  assert.equal((await child.exited).code, 0);
  assert.match(child.output(), /POST \/api\/swml-inbound 200 \S+ from="Unknown Caller"/);
  for (const secret of [password, FAKE_SIP_PASSWORD, FAKE_SIGNING_KEY]) assert.ok(!child.output().includes(secret), 'a secret was printed');
});

test('the default 5 s header limit holds idle clients about 5 s, and --max-connections refuses the extra one', { timeout: 30_000 }, async () => {
  const child = serve([...LOCAL, '--max-connections', '2'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
  const base = await listeningOn(child);
  const port = Number(new URL(base).port);
  assert.match(child.output(), /at most 2 connections/);
  const connect = () =>
    new Promise<{ sock: net.Socket; closed: Promise<{ ms: number; data: string }> }>((resolve) => {
      const started = performance.now();
      const sock = net.connect(port, '127.0.0.1');
      let data = '';
      sock.on('data', (d: Buffer) => (data += d.toString()));
      sock.on('error', () => {});
      const closed = new Promise<{ ms: number; data: string }>((r) => sock.on('close', () => r({ ms: performance.now() - started, data })));
      sock.on('connect', () => resolve({ sock, closed }));
    });
  // A slowloris: a header line now and then, never the blank line that ends them.
  const slow = await connect();
  slow.sock.write('GET /healthz HTTP/1.1\r\n');
  const drip = setInterval(() => slow.sock.writable && slow.sock.write('X-Pad: a\r\n'), 500);
  const idle = await connect();
  await new Promise((r) => setTimeout(r, 200));
  const extra = await connect();
  extra.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  const refused = await extra.closed;
  assert.equal(refused.data, '', 'the connection over the cap got an answer');
  assert.ok(refused.ms < 2000, `refused after ${refused.ms} ms`);

  const [cutSlow, cutIdle] = await Promise.all([slow.closed, idle.closed]);
  clearInterval(drip);
  for (const cut of [cutSlow, cutIdle]) {
    assert.ok(cut.ms > 4500 && cut.ms < 15_000, `cut after ${cut.ms.toFixed(0)} ms; the limit is 5 s`);
    assert.match(cut.data, /^HTTP\/1\.1 408 /);
  }
  child.proc.kill('SIGTERM');
  assert.equal((await child.exited).code, 0);
  assert.match(child.output(), /408 - request timed out: headers not complete within 5.0 s/);
  assert.match(child.output(), /refused 1 connection: 2 already open \(--max-connections\)/);
});

test('--port and its alias --api-server-port: either works, both only when they agree; a bad --max-connections is one line', { timeout: 20_000 }, async () => {
  const both = serve(['--port', '0', '--api-server-port', '8081', '--host', '127.0.0.1'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
  assert.equal((await both.exited).code, 2);
  assert.match(both.output().trim(), /--port 0 and --api-server-port 8081 disagree/);

  const viaAlias = serve(['--api-server-port', '0', '--host', '127.0.0.1'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
  assert.equal((await viaAlias.exited).code, 2, 'the setting flag is validated as 1-65535');
  assert.match(viaAlias.output(), /--api-server-port/);

  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = String((blocker.address() as net.AddressInfo).port);
  try {
    // The alias reaches the same option: the port it names is the one found taken.
    const taken = serve(['--api-server-port', port, '--port', port, '--host', '127.0.0.1'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
    assert.equal((await taken.exited).code, 2);
    assert.match(taken.output(), new RegExp(`Port ${port} is already in use`));
    const aliasOnly = serve(['--api-server-port', port, '--host', '127.0.0.1'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
    assert.equal((await aliasOnly.exited).code, 2);
    assert.match(aliasOnly.output(), new RegExp(`Port ${port} is already in use`));
  } finally {
    blocker.close();
  }

  const badCap = serve([...LOCAL, '--max-connections', 'lots'], { LIVEKIT_SIP_DOMAIN: SIP_DOMAIN });
  assert.equal((await badCap.exited).code, 2);
  assert.equal(badCap.output().trim().split('\n').length, 1);
  assert.match(badCap.output(), /--max-connections: "lots"/);
});
