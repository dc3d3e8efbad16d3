// The HTTP kernel under the stand-ins: one request log, one fault shape taken the same way by LiveKit,
// PostgREST and SignalWire, and a stop that lets an answer in flight finish and cuts a stalled one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NUMBER } from '../fixtures.ts';
import { startWorld, type World } from '../helpers/world.ts';
import { Answer, startLoopback, type LoggedRequest } from './loopback.ts';

describe('the kernel', () => {
  const echo = () =>
    startLoopback<LoggedRequest & { tag: string }>({
      jsonType: 'application/json',
      entry: (req) => ({ tag: String(req.headers['x-tag'] ?? '') }),
      handle: async ({ entry, send, url }) => {
        if (url.pathname === '/refuse') throw new Answer(418, { why: 'teapot' });
        if (url.pathname === '/throw') throw new Error('boom');
        if (url.pathname === '/slow') await new Promise((r) => setTimeout(r, 300));
        send(200, { got: entry.body });
      },
      faultAnswer: (status) => new Answer(status, { own: status }),
    });

  test('every request is logged in one shape: method, path, query, body, status, time', async () => {
    const k = await echo();
    after(() => k.stop());
    const res = await fetch(`${k.url}/a/b?x=1&x=%2B2`, { method: 'POST', headers: { 'x-tag': 't1' }, body: '{"n":1}' });
    assert.deepEqual(await res.json(), { got: { n: 1 } });
    await fetch(`${k.url}/refuse`, { method: 'PUT', body: 'not json' });
    await fetch(`${k.url}/throw`);
    const [a, b, c] = k.requests;
    assert.deepEqual({ ...a, at: 0, ms: 0 }, { method: 'POST', path: '/a/b', query: [['x', '1'], ['x', '+2']], body: { n: 1 }, status: 200, at: 0, ms: 0, tag: 't1' });
    assert.ok(a!.at > Date.now() - 60_000 && a!.ms >= 0);
    assert.deepEqual([b!.status, b!.body, c!.status, c!.body], [418, 'not json', 500, undefined]);
  });

  test('faults: match, times, status with the stand-in\'s own body or a given one, delay, drop; the newest wins', async () => {
    const k = await echo();
    after(() => k.stop());
    const get = async (path: string) => {
      try {
        const res = await fetch(`${k.url}${path}`);
        return [res.status, await res.text()];
      } catch {
        return ['dropped'];
      }
    };
    k.fault({ match: '/x', status: 503, times: 1 });
    k.fault({ match: 'GET /y', body: '<html>proxy</html>', status: 502 });
    k.fault({ match: 'leaf', drop: true, times: 1 });
    k.fault({ match: /^GET \/z/, delayMs: 150, times: 1 });
    assert.deepEqual(await get('/x'), [503, '{"own":503}']);
    assert.deepEqual(await get('/x'), [200, '{}'], 'times: 1 is used up');
    assert.deepEqual(await get('/y/1'), [502, '<html>proxy</html>']);
    assert.deepEqual(await get('/deep/leaf'), ['dropped'], 'the last path segment matches exactly');
    const started = Date.now();
    assert.deepEqual(await get('/z'), [200, '{}']);
    assert.ok(Date.now() - started >= 140, 'delayed, then answered');
    k.fault({ match: 'GET /y', status: 404 });
    assert.deepEqual(await get('/y'), [404, '{"own":404}'], 'the newer fault wins');
    k.clearFaults();
    assert.deepEqual(await get('/y'), [200, '{}']);
  });

  test('stop lets an answer in flight finish, cuts a stalled one, and is quick', async () => {
    const k = await echo();
    k.fault({ match: '/stall', delayMs: 60_000 });
    const slow = fetch(`${k.url}/slow`).then((r) => r.status);
    const stalled = fetch(`${k.url}/stall`).then((r) => r.status, () => 'cut');
    while (k.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await k.stop();
    assert.deepEqual([await slow, await stalled], [200, 'cut']);
    assert.ok(Date.now() - started < 1_500);
    await assert.rejects(fetch(`${k.url}/a`), 'no longer listening');
  });
});

describe('one fault shape for every stand-in', () => {
  let w: World;
  before(async () => (w = await startWorld({ signalwire: true })));
  after(() => w?.stop());

  test('a status fault answers in each service\'s own error shape, once; then the service answers normally', async () => {
    w.livekit.fault({ match: 'ListSIPInboundTrunk', status: 503, times: 1 });
    w.rest.fault({ match: '/rest/v1/signalwire_phone_numbers', status: 503, times: 1 });
    w.signalwire!.fault({ match: 'GET /api/relay/rest/phone_numbers', status: 503, times: 1 });
    const twice = async (call: () => Promise<Response>) => {
      const first = await call();
      const second = await call();
      return [first.status, await first.json(), second.status];
    };
    const lk = await twice(() =>
      fetch(`${w.livekit.url}/twirp/livekit.SIP/ListSIPInboundTrunk`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
    );
    const rest = await twice(() => fetch(`${w.rest.url}/rest/v1/signalwire_phone_numbers?select=*`, { headers: { apikey: w.rest.serviceKey } }));
    const auth = `Basic ${Buffer.from(`${w.signalwire!.projectId}:${w.signalwire!.apiToken}`).toString('base64')}`;
    const sw = await twice(() => fetch(`${w.signalwire!.url}/api/relay/rest/phone_numbers?filter_number=${encodeURIComponent(NUMBER)}`, { headers: { authorization: auth } }));
    assert.deepEqual(lk, [503, { code: 'unavailable', msg: 'injected fault: 503' }, 401], 'then LiveKit refuses the missing token');
    assert.deepEqual(rest, [503, { message: 'An invalid response was received from the upstream server' }, 200]);
    assert.deepEqual(sw, [503, { error: 'Internal Server Error' }, 200]);
    const statuses = (log: LoggedRequest[]) => log.slice(-2).map((r) => r.status);
    assert.deepEqual([statuses(w.livekit.requests), statuses(w.rest.requests), statuses(w.signalwire!.requests)], [[503, 401], [503, 200], [503, 200]]);
  });
});
