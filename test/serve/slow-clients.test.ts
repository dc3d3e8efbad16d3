// Slow, idle and too many clients against a real server on 127.0.0.1: each is cut near the configured
// time (not at Node's 30 s check interval), answered 408 when it can still hear it, logged as a timeout,
// and extra connections beyond the cap are refused while the open ones keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { request, signalwireBody, startServer } from './helpers.ts';

const HEADERS_MS = 600;
const REQUEST_MS = 1200;

interface Cut {
  ms: number;
  received: string;
}

/** Opens a raw connection, runs `drive` on it, and resolves when the server closes it. */
function rawClient(port: number, drive: (sock: net.Socket) => void): Promise<Cut> {
  return new Promise((resolve) => {
    const started = performance.now();
    const sock = net.connect(port, '127.0.0.1');
    let received = '';
    sock.on('data', (d: Buffer) => (received += d.toString('latin1')));
    sock.on('error', () => {}); // a write after the server hung up; the close below is what counts
    sock.on('close', () => resolve({ ms: performance.now() - started, received }));
    sock.on('connect', () => drive(sock));
  });
}

/** Writes one byte every `everyMs` while the socket is open. */
function trickle(sock: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (sock.destroyed || i >= text.length) return void clearInterval(timer);
    sock.write(text[i++]!);
  }, everyMs);
  sock.on('close', () => clearInterval(timer));
}

test('slowloris headers, an idle connection and a slow body are cut near their limits with 408', { timeout: 20_000 }, async (t) => {
  const s = await startServer({ headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS });
  t.after(s.close);
  const body = signalwireBody();
  const [headers, idle, slowBody] = await Promise.all([
    // Headers that never end: a new header line every 50 ms keeps a naive idle timer from ever firing.
    rawClient(s.port, (sock) => trickle(sock, `POST /api/swml-inbound HTTP/1.1\r\nHost: x\r\n${'X-Pad: a\r\n'.repeat(1000)}`, 50)),
    rawClient(s.port, () => {}),
    rawClient(s.port, (sock) => {
      sock.write(`POST /api/swml-inbound HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
      trickle(sock, body, 50);
    }),
  ]);
  for (const [name, cut, limit] of [['headers', headers, HEADERS_MS], ['idle', idle, HEADERS_MS], ['body', slowBody, REQUEST_MS]] as const) {
    // Measured, loosely bounded: before the fix the cut came at Node's 30 s check.
    assert.ok(cut.ms >= limit * 0.9 && cut.ms < limit * 3, `${name}: cut after ${cut.ms.toFixed(0)} ms, limit ${limit} ms`);
    assert.match(cut.received, /^HTTP\/1\.1 408 /, name);
  }
  const log = s.lines.join('\n');
  assert.equal(s.lines.filter((l) => / 408 .*headers not complete within 0\.6 s$/.test(l)).length, 2, log);
  assert.match(log, / POST \/api\/swml-inbound 408 \d+\.\dms request timed out: body not complete within 1\.2 s$/m);
  assert.doesNotMatch(log, /closed the connection/);
  // The server still answers.
  assert.equal((await request(s.base, '/api/swml-inbound', { method: 'POST', body })).status, 200);
});

test('the connection cap refuses extra connections; the open ones keep working; freed room is reused', { timeout: 20_000 }, async (t) => {
  const s = await startServer({ maxConnections: 3, headersTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  t.after(s.close);
  const open: net.Socket[] = [];
  t.after(() => open.forEach((c) => c.destroy()));
  for (let i = 0; i < 3; i++) {
    const c = net.connect(s.port, '127.0.0.1');
    c.on('error', () => {});
    await new Promise((r) => c.once('connect', r));
    open.push(c);
  }
  // The server has accepted all three before the fourth arrives.
  while ((await connections(s.server)) < 3) await new Promise((r) => setTimeout(r, 10));

  const extra = await rawClient(s.port, (sock) => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.equal(extra.received, '', 'a connection over the cap got an answer');
  assert.ok(extra.ms < 1000, `refused after ${extra.ms} ms`);

  // One of the open connections is still served.
  const served = await new Promise<string>((resolve) => {
    let got = '';
    open[0]!.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('{"ok":true}')) resolve(got);
    });
    open[0]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  assert.match(served, /^HTTP\/1\.1 200 /);

  // Close one: the next connection is accepted.
  open.pop()!.destroy();
  while ((await connections(s.server)) > 2) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await request(s.base, '/healthz')).status, 200);

  // The refusal is logged, counted, within about a second.
  for (let i = 0; i < 40 && !s.lines.some((l) => /refused 1 connection: 3 already open/.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(s.lines.some((l) => /refused 1 connection: 3 already open \(--max-connections\)$/.test(l)), s.lines.join('\n'));
});

function connections(server: import('node:http').Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}
