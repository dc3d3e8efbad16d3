// Every LiveKit failure ends in one clear line with the cause and the fix, and never the secret.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { ServiceError, UsageError } from '../../src/errors.ts';
import { checkLiveKit, observeLiveKit, type LiveKitConn } from '../../src/services/livekit.ts';
import { planLiveKit } from '../../src/services/livekit-changes.ts';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { AUTH, connOf, converge, desired, writes } from './helpers.ts';

const NO_SIP = { apiKey: 'APInosip', apiSecret: 'nosip-secret-0123456789abcdefghij', sipAdmin: false };
let lk: LiveKitStandIn;
before(async () => (lk = await startLiveKit({ keys: [NO_SIP] })));
after(() => lk.stop());
beforeEach(() => {
  lk.clearFaults();
  lk.trunks.clear();
  lk.rules.clear();
  lk.requests.length = 0;
});

/** Runs `fn`, expects it to throw, and checks the error is one line without any secret. */
async function oneLine(fn: () => Promise<unknown>, secrets: string[]): Promise<UsageError | ServiceError> {
  const err = await fn().then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UsageError || err instanceof ServiceError, `not one of ours: ${String(err)}`);
  assert.doesNotMatch(err.message, /\n/);
  for (const s of secrets) assert.ok(!err.message.includes(s), `secret in: ${err.message}`);
  return err;
}

test('a wrong secret (401 "invalid token"): UsageError naming the URL, the key and the secret\'s variable', async () => {
  const conn = connOf(lk, { apiSecret: 'wrong-secret-0123456789abcdef' });
  const err = await oneLine(() => checkLiveKit(conn), [conn.apiSecret, lk.apiSecret]);
  assert.ok(err instanceof UsageError);
  assert.equal(err.exitCode, 2);
  assert.equal(err.message, `LiveKit at ${lk.url} rejected the API secret of key ${lk.apiKey}: check LIVEKIT_API_SECRET`);
  assert.deepEqual((err as UsageError).settings, ['LIVEKIT_API_SECRET']);
  assert.equal(lk.requests.at(-1)!.status, 401);
  const unknown = await oneLine(() => checkLiveKit({ ...conn, apiKey: 'APIunknown' }), [conn.apiSecret]);
  assert.equal(unknown.message, `LiveKit at ${lk.url} does not know the API key APIunknown: check LIVEKIT_API_KEY`);
  assert.deepEqual((unknown as UsageError).settings, ['LIVEKIT_API_KEY']);
});

test('a key without the SIP admin permission (401 "permissions denied", as livekit-server answers): its own line with the fix', async () => {
  const conn = connOf(lk, NO_SIP);
  const err = await oneLine(() => observeLiveKit(conn, desired()), [NO_SIP.apiSecret]);
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /^LiveKit API key APInosip lacks the SIP admin permission \(401 permissions denied\) at http:\/\/127\.0\.0\.1:\d+: /);
  assert.match(err.message, /LiveKit Cloud → Settings → API keys/);
  assert.equal(lk.requests.at(-1)!.status, 401);
  assert.equal(lk.requests.at(-1)!.apiKey, 'APInosip');
});

test('a 403 (a proxy, or a service that says forbidden) reads the same; a 401 of another text blames key and secret', async () => {
  const { liveKitError } = await import('../../src/services/livekit.ts');
  const forbidden = liveKitError({ status: 403, code: 'permission_denied', message: 'permissions denied' }, connOf(lk), 'listing rooms');
  assert.match(forbidden.message, /^LiveKit API key APIstandin lacks the room admin permission \(403 permissions denied\)/);
  const plain = liveKitError({ status: 401, message: 'Unauthorized' }, connOf(lk), 'listing inbound trunks');
  assert.equal(plain.message, `LiveKit rejected the API key for ${lk.url}: check LIVEKIT_API_KEY / LIVEKIT_API_SECRET`);
});

test('a 500 while creating the trunk: ServiceError saying LiveKit failed and to try again; the rule is not attempted', async () => {
  lk.fault({ match: 'CreateSIPInboundTrunk', status: 500 });
  const conn = connOf(lk);
  const err = await oneLine(() => converge(conn, desired()), [lk.apiSecret, AUTH.password]);
  assert.ok(err instanceof ServiceError);
  assert.equal(err.exitCode, 1);
  assert.match(err.message, /^LiveKit failed \(500 internal: injected fault: 500\) while creating trunk "create-sip-inbound" at http:\/\/127\.0\.0\.1:\d+: .*try again/);
  assert.deepEqual(writes(lk).map((w) => w.rpc), ['CreateSIPInboundTrunk']);
});

test('a stall longer than the timeout: "did not answer within" the configured time, quickly', async () => {
  lk.fault({ match: 'ListSIPInboundTrunk', delayMs: 15_000 });
  const started = Date.now();
  const err = await oneLine(() => checkLiveKit(connOf(lk, { timeoutMs: 300 })), [lk.apiSecret]);
  assert.ok(Date.now() - started < 3000, 'gave up at the timeout');
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /^LiveKit did not answer within 0\.3 s while listing inbound trunks at http:\/\/127\.0\.0\.1:\d+: check LIVEKIT_URL/);
});

test('the default timeout reads "10 s" (the wording only: no test waits 10 s)', async () => {
  const { liveKitError } = await import('../../src/services/livekit.ts');
  const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
  assert.match(liveKitError(timeout, connOf(lk), 'listing inbound trunks').message, /^LiveKit did not answer within 10 s /);
});

test('an unreachable host: "Cannot reach LiveKit at <url>" with the cause and LIVEKIT_URL', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const err = await oneLine(() => checkLiveKit({ url, apiKey: 'k', apiSecret: 'unreachable-secret-123' }), ['unreachable-secret-123']);
  assert.ok(err instanceof ServiceError);
  assert.equal(err.message, `Cannot reach LiveKit at ${url}: connection refused (ECONNREFUSED); check LIVEKIT_URL and the network`);
});

test('a host that does not resolve: ENOTFOUND', async () => {
  const url = 'https://no-such-host.invalid';
  const err = await oneLine(() => checkLiveKit({ url, apiKey: 'k', apiSecret: 'nf-secret-123456' }), ['nf-secret-123456']);
  assert.match(err.message, /^Cannot reach LiveKit at https:\/\/no-such-host\.invalid: (host not found \(ENOTFOUND\)|DNS lookup failed \(EAI_AGAIN\)); check LIVEKIT_URL/);
});

test('a garbage body: says the URL does not answer like LiveKit', async () => {
  lk.fault({ match: 'ListSIPInboundTrunk', body: '<html>upstream hiccup</html>' });
  const err = await oneLine(() => checkLiveKit(connOf(lk)), [lk.apiSecret]);
  assert.match(err.message, /answered listing inbound trunks with something that is not JSON: check LIVEKIT_URL/);
  lk.fault({ match: 'ListSIPInboundTrunk', body: '<html>upstream hiccup</html>', status: 502 });
  const err502 = await oneLine(() => checkLiveKit(connOf(lk)), [lk.apiSecret]);
  assert.match(err502.message, /^LiveKit failed \(502 .*try again/);
});

test('a server that is not LiveKit (404 without a Twirp code) points at LIVEKIT_URL', async () => {
  const { liveKitError } = await import('../../src/services/livekit.ts');
  const err = liveKitError({ name: 'Not Found', status: 404, message: '<html>nope</html>' }, connOf(lk), 'listing inbound trunks');
  assert.match(err.message, /does not answer like LiveKit \(404\) while listing inbound trunks: check LIVEKIT_URL/);
});

test('a refusal from LiveKit keeps its message, with the secrets scrubbed out', async () => {
  const { liveKitError } = await import('../../src/services/livekit.ts');
  const conn: LiveKitConn = connOf(lk);
  const err = liveKitError(
    { name: 'Bad Request', status: 400, code: 'invalid_argument', message: `bad password ${AUTH.password} for key\nsecret ${lk.apiSecret}` },
    conn,
    'updating trunk "x"',
    [AUTH.password],
  );
  assert.equal(err.message, 'LiveKit refused updating trunk "x" (400 invalid_argument: bad password •••• for key secret ••••)');
});

test('a LiveKit conflict while applying is one line naming both trunks', async () => {
  // The number sits on a hand-made trunk, but the plan was made before: LiveKit refuses the second trunk.
  const state = await observeLiveKit(connOf(lk), desired());
  const { SipClient } = await import('livekit-server-sdk');
  const theirs = await new SipClient(lk.url, lk.apiKey, lk.apiSecret).createSipInboundTrunk('theirs', [desired().number]);
  const [createTrunk] = planLiveKit(connOf(lk), desired(), state);
  const err = await oneLine(() => createTrunk!.apply(), [lk.apiSecret, AUTH.password]);
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, new RegExp(`^LiveKit refused creating trunk "create-sip-inbound" \\(400 invalid_argument: Conflicting inbound SIP Trunks: "<new>" and "${theirs.sipTrunkId}"`));
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
