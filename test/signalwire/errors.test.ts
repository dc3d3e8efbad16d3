// Each failure is one line that names the cause and the fix, and never carries the token.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ServiceError, UsageError } from '../../src/errors.ts';
import { findNumber, observeSignalWire } from '../../src/carriers/signalwire/index.ts';
import { startSignalWire, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { NUMBER, connTo, oneLineError, swmlFor } from './helpers.ts';

const hosted = { kind: 'hosted', swml: swmlFor('abc123xyz.sip.livekit.cloud') } as const;

describe('credentials and the number', () => {
  let sw: SignalWireStandIn;
  before(async () => {
    sw = await startSignalWire();
    sw.addNumber('+142448515440'); // contains our number as a substring: filter_number returns it
  });
  after(() => sw.stop());

  it('a number absent from the space is a usage error naming the number and the space', async () => {
    const msg = await oneLineError(() => findNumber(connTo(sw), NUMBER), UsageError, sw.apiToken);
    assert.match(msg, /^\+14244851544 is not a number in 127\.0\.0\.1:\d+: check PHONE_NUMBER and SIGNALWIRE_SPACE_URL/);
    assert.deepEqual([sw.requests.at(-1)!.path, sw.requests.at(-1)!.query], ['/api/relay/rest/phone_numbers', [['filter_number', NUMBER]]]);
  });

  it('a wrong API token (401) says which settings to check', async () => {
    const wrong = 'PTwrongtoken0123456789abcdef';
    const msg = await oneLineError(() => findNumber(connTo(sw, { apiToken: wrong }), NUMBER), UsageError, wrong);
    assert.ok(
      msg.startsWith(`SignalWire rejected the project ID / API token for ${new URL(sw.url).host}: check SIGNALWIRE_PROJECT_ID / SIGNALWIRE_API_TOKEN`),
      msg,
    );
  });

  it('a wrong project ID gets the same line', async () => {
    const msg = await oneLineError(() => findNumber(connTo(sw, { projectId: 'not-the-project' }), NUMBER), UsageError, sw.apiToken);
    assert.match(msg, /^SignalWire rejected the project ID \/ API token/);
  });
});

describe('token scopes', () => {
  const started: SignalWireStandIn[] = [];
  const start = async (...args: Parameters<typeof startSignalWire>) => {
    const sw = await startSignalWire(...args);
    started.push(sw);
    sw.addNumber(NUMBER);
    return sw;
  };
  after(() => Promise.all(started.map((s) => s.stop())));

  it('a token without the Numbers scope (403) is told to enable it', async () => {
    const sw = await start({ tokenScopes: ['voice'] });
    const msg = await oneLineError(() => findNumber(connTo(sw), NUMBER), UsageError, sw.apiToken);
    assert.match(msg, /^SignalWire refused to list phone numbers in 127\.0\.0\.1:\d+: the API token lacks the Numbers scope; enable the Numbers scope on the token \(SignalWire → API → Tokens/);
  });

  it('a token without the Voice scope fails on SWML scripts, naming Voice', async () => {
    const sw = await start({ tokenScopes: ['numbers'] });
    const msg = await oneLineError(() => observeSignalWire(connTo(sw), NUMBER, hosted), UsageError, sw.apiToken);
    assert.match(msg, /^SignalWire refused to list SWML scripts in .*: the API token lacks the Voice scope/);
  });

  it('a missing scope answered with 401 after the credentials worked is still read as the scope', async () => {
    const sw = await start({ tokenScopes: ['numbers'], missingScopeStatus: 401 });
    const msg = await oneLineError(() => observeSignalWire(connTo(sw), NUMBER, hosted), UsageError, sw.apiToken);
    assert.match(msg, /lacks the Voice scope/);
    assert.doesNotMatch(msg, /rejected the project ID/);
  });
});

describe('SignalWire unreachable, slow or failing', () => {
  let sw: SignalWireStandIn;
  before(async () => {
    sw = await startSignalWire();
    sw.addNumber(NUMBER);
  });
  after(() => sw.stop());

  it('times out after timeoutMs with a service error', async () => {
    sw.fault({ match: 'GET /api/relay/rest/phone_numbers', delayMs: 700, times: 1 });
    const started = Date.now();
    const msg = await oneLineError(() => findNumber(connTo(sw, { timeoutMs: 100 }), NUMBER), ServiceError, sw.apiToken);
    assert.ok(Date.now() - started < 500, 'gave up at the timeout, not when the answer came');
    assert.match(msg, /^127\.0\.0\.1:\d+ did not answer "list phone numbers" within 0\.1 s: check SIGNALWIRE_SPACE_URL/);
  });

  it('a 5xx is a service error pointing at SignalWire\'s side', async () => {
    sw.clearFaults(); // under load the timeout above can fire before its request arrives, leaving its delay behind
    sw.fault({ match: '/api/relay/rest/phone_numbers', status: 503, times: 1 });
    const err = await findNumber(connTo(sw), NUMBER).catch((e: unknown) => e);
    assert.ok(err instanceof ServiceError);
    assert.equal(err.service, 'SignalWire');
    assert.match(err.message, /^SignalWire failed to list phone numbers in .* \(503: Internal Server Error\): a problem on SignalWire's side/);
  });

  it('nothing listening is a service error naming the space', async () => {
    const closed = await listen(createServer());
    const port = portOf(closed);
    await new Promise((r) => closed.close(r)); // a port that was just free
    const msg = await oneLineError(() => findNumber(connTo(sw, { spaceUrl: `http://127.0.0.1:${port}` }), NUMBER), ServiceError, sw.apiToken);
    assert.match(msg, new RegExp(`^Cannot reach SignalWire at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check SIGNALWIRE_SPACE_URL`));
  });

  it('a redirect is not followed, so the credentials stay put', async () => {
    const seen: string[] = [];
    const target = await listen(
      createServer((req, res) => {
        seen.push(req.headers.authorization ?? '');
        res.end('{}');
      }),
    );
    const redirector = await listen(
      createServer((_req, res) => {
        res.writeHead(302, { location: `http://127.0.0.1:${portOf(target)}/` }).end();
      }),
    );
    try {
      const port = portOf(redirector);
      const msg = await oneLineError(() => findNumber(connTo(sw, { spaceUrl: `http://127.0.0.1:${port}` }), NUMBER), ServiceError, sw.apiToken);
      assert.match(msg, /answered "list phone numbers" with a redirect \(302\)/);
      assert.deepEqual(seen, []);
    } finally {
      target.close();
      redirector.close();
    }
  });
});

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
