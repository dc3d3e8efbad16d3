// The endpoint over real HTTP: a server on 127.0.0.1, requests from node:http.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { swmlJson, renderSwml } from '../../src/render/swml.ts';
import { closeGracefully } from '../../src/server/swml-server.ts';
import { FAKE_SIP_PASSWORD, SIP_DOMAIN, request, signalwireBody, startServer } from './helpers.ts';

const TARGET = `sip:%{call.to}@${SIP_DOMAIN};transport=tcp`;

test('a SignalWire-shaped POST gets the SWML that connects to the LiveKit SIP domain', async (t) => {
  const s = await startServer();
  t.after(s.close);
  const r = await request(s.base, '/api/swml-inbound', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: signalwireBody(),
  });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.equal(r.json().sections.main[0].connect.to, TARGET);
  // Exactly what `swml` prints for the same settings.
  assert.equal(r.text, swmlJson(renderSwml({ sipDomain: SIP_DOMAIN })));
});

test('GET with a query returns the same document as the POST', async (t) => {
  const s = await startServer({ credentials: true, signingKey: undefined });
  t.after(s.close);
  const post = await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody() });
  const get = await request(s.base, '/api/swml-inbound?to=%2B14244851544&from=%2B16505300051');
  assert.equal(get.status, 200);
  assert.equal(get.text, post.text);
  assert.equal(get.json().sections.main[0].connect.password, FAKE_SIP_PASSWORD);
  // curl users often leave "+" unescaped; it arrives as a space.
  assert.equal((await request(s.base, '/api/swml-inbound?to=+14244851544')).status, 200);
  assert.equal((await request(s.base, '/api/swml-inbound')).status, 200);
});

test('SIP URIs are reduced to their number; a withheld caller ID is not an error', async (t) => {
  const s = await startServer();
  t.after(s.close);
  for (const call of [
    { to: 'sip:+14244851544@example.sip.signalwire.com', from: 'sip:+16505300051@example.sip.signalwire.com;user=phone' },
    { from: 'anonymous' },
    { from: 'sip:anonymous@anonymous.invalid' },
  ]) {
    const r = await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody(call) });
    assert.equal(r.status, 200, JSON.stringify(call));
  }
});

test('a call.to that is no phone number gets 400 with a JSON error', async (t) => {
  const s = await startServer();
  t.after(s.close);
  for (const call of [{ to: 'not-a-number' }, { to: '+1234' }, { to: 14244851544 }, { to: 'sip:alice@example.com' }, { to: '' }, { to: undefined }]) {
    const r = await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody(call) });
    assert.equal(r.status, 400, JSON.stringify(call));
    assert.match(r.json().error, /call\.to/);
  }
  const get = await request(s.base, '/api/swml-inbound?to=hello');
  assert.equal(get.status, 400);
  assert.match(get.json().error, /call\.to/);
});

test('a called number LiveKit would match in another form still gets the SWML', async (t) => {
  const s = await startServer();
  t.after(s.close);
  for (const to of ['14244851544', '+1 424-485-1544', 'sip:14244851544@example.sip.signalwire.com']) {
    const r = await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody({ to }) });
    assert.equal(r.status, 200, to);
  }
});

test('every caller ID gets the SWML and is logged as sent, escaped when unprintable', async (t) => {
  const s = await startServer();
  t.after(s.close);
  const expected = await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody() });
  s.lines.length = 0;
  const callers: Array<[unknown, string]> = [
    ['', 'from=""'],
    ['Unknown Caller', 'from="Unknown Caller"'],
    ['12135877632', 'from=12135877632'],
    ['00442071838750', 'from=00442071838750'],
    [undefined, 'from=-'], // missing: JSON.stringify drops the key
    [null, 'from=-'],
    ['+1 424 485 1544', 'from="+1 424 485 1544"'],
    ['sip:alice@example.com', 'from=sip:alice@example.com'],
    [16505300051, 'from=16505300051'],
    ['evil\u001b[31m\nline', 'from="evil\\u001b[31m\\u000aline"'],
  ];
  for (const [from] of callers) {
    const r = await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody({ from }) });
    assert.equal(r.status, 200, JSON.stringify(from));
    assert.equal(r.text, expected.text);
  }
  assert.equal(s.lines.length, callers.length);
  callers.forEach(([from, logged], i) => assert.ok(s.lines[i]!.endsWith(` 200 ${/\d+\.\dms/.exec(s.lines[i]!)![0]} ${logged}`), `${JSON.stringify(from)}: ${s.lines[i]}`));
  // A call without any caller field at all.
  const bare = JSON.stringify({ call: { to: '+14244851544' } });
  assert.equal((await request(s.base, '/api/swml-inbound', { method: 'POST', body: bare })).status, 200);
  // The manual GET form too.
  assert.equal((await request(s.base, '/api/swml-inbound?to=%2B14244851544&from=Unknown%20Caller')).status, 200);
  assert.match(s.lines.at(-1)!, / GET \/api\/swml-inbound\?… 200 \S+ from="Unknown Caller"$/);
});

test('bodies that are not SignalWire JSON get 400', async (t) => {
  const s = await startServer();
  t.after(s.close);
  for (const body of ['{"call":', '', '[1,2]', 'null', '{"call":"x"}', '{}', '{"call":null}']) {
    const r = await request(s.base, '/api/swml-inbound', { method: 'POST', body });
    assert.equal(r.status, 400, body);
    assert.equal(typeof r.json().error, 'string');
  }
});

test('a 1 MB body gets 413 without being read, and the server stays healthy', async (t) => {
  const s = await startServer();
  t.after(s.close);
  let bytesRead = 0;
  s.server.on('connection', (sock) => sock.on('data', (d: Buffer) => (bytesRead += d.length)));
  for (const chunked of [false, true]) {
    const status = await new Promise<number>((resolve, reject) => {
      const size = 1024 * 1024;
      const req = http.request(`${s.base}/api/swml-inbound`, {
        method: 'POST',
        agent: false,
        headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': size },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // Writing the rest of the body may fail once the server hangs up; the status is what counts.
      req.on('error', (err) => setTimeout(() => reject(err), 500));
      const chunk = Buffer.alloc(16 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(status, 413, chunked ? 'chunked' : 'content-length');
  }
  assert.ok(bytesRead < 1024 * 1024, `read ${bytesRead} bytes of 2 MB`);
  assert.equal((await request(s.base, '/healthz')).status, 200);
  assert.equal((await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody() })).status, 200);
});

test('other methods get 405 with Allow; unknown paths 404; /healthz 200', async (t) => {
  const s = await startServer();
  t.after(s.close);
  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    const r = await request(s.base, '/api/swml-inbound', { method });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, POST');
  }
  assert.equal((await request(s.base, '/healthz', { method: 'POST' })).headers.allow, 'GET, HEAD');
  assert.equal((await request(s.base, '/api/swml-inbound/x')).status, 404);
  assert.equal((await request(s.base, '/')).status, 404);
  const health = await request(s.base, '/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(health.json(), { ok: true });
});

test('one log line per request: method, path, status, ms; no query values, no secrets', async (t) => {
  const s = await startServer({ credentials: true });
  t.after(s.close);
  await request(s.base, '/api/swml-inbound?to=%2B14244851544&token=secret-in-query');
  await request(s.base, '/api/swml-inbound', { method: 'POST', body: signalwireBody() });
  await request(s.base, '/nope');
  assert.equal(s.lines.length, 3);
  assert.match(s.lines[0]!, /^\S+ GET \/api\/swml-inbound\?… 200 \d+\.\dms$/);
  assert.match(s.lines[1]!, / POST \/api\/swml-inbound 200 \d+\.\dms from=\+16505300051$/);
  assert.match(s.lines[2]!, / GET \/nope 404 /);
  const all = s.lines.join('\n');
  for (const secret of [FAKE_SIP_PASSWORD, 'secret-in-query', '4244851544']) assert.ok(!all.includes(secret), secret);
});

test('shutdown finishes a request in flight, then closes', async () => {
  const s = await startServer();
  const body = signalwireBody();
  const reply = new Promise<number>((resolve, reject) => {
    const req = http.request(`${s.base}/api/swml-inbound`, { method: 'POST', headers: { 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.write(body.slice(0, 10));
    // The rest arrives after shutdown has begun.
    setTimeout(() => req.end(body.slice(10)), 150);
  });
  await new Promise((r) => setTimeout(r, 50));
  const started = performance.now();
  const closed = closeGracefully(s.server, 5000);
  await assert.rejects(request(s.base, '/healthz'), /ECONNREFUSED/);
  assert.equal(await reply, 200);
  await closed;
  // Closed once the answer went out, not at the grace deadline.
  assert.ok(performance.now() - started < 1500, `took ${performance.now() - started} ms`);
});
