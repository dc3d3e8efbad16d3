// The SIP domain's shape (LiveKit Cloud's SIP hosts are <project id>.sip.livekit.cloud), refused in one line
// with exit 2 when it cannot take SIP calls, and the check's TCP hop on a self-hosted SIP port.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isSelfHostedSip, sipTcpHop } from '../../src/check/sip-tcp-hop.ts';
import { setting } from '../../src/settings.ts';
import { check } from '../../src/validate.ts';
import { runCli } from '../helpers/cli.ts';

const domain = setting('LIVEKIT_SIP_DOMAIN');
const problem = (raw: string, others = {}) => {
  const r = check(domain, raw, others);
  return r.ok ? undefined : r.problem;
};

test('LiveKit Cloud: only <id>.sip.livekit.cloud; each wrong shape is named, with the right one', () => {
  assert.deepEqual(check(domain, 'ABC123xyz.sip.livekit.cloud'), { ok: true, value: 'abc123xyz.sip.livekit.cloud' });
  assert.equal(check(domain, 'abc123xyz.sip.livekit.cloud:5060').ok, true);

  const shape = /<project id without "p_">\.sip\.livekit\.cloud, e\.g\. abc123xyz\.sip\.livekit\.cloud \(LiveKit Cloud → Settings → Project → SIP URI\)/;
  const guide = problem('sip-abc.livekit.cloud');
  assert.match(guide!, /^"sip-abc\.livekit\.cloud" is not a LiveKit Cloud SIP host \(the setup guide's form is out of date\)/);
  assert.match(guide!, shape);

  const sameAsUrl = problem('my-app-abc123.livekit.cloud', { LIVEKIT_URL: 'wss://my-app-abc123.livekit.cloud' });
  assert.match(sameAsUrl!, /^"my-app-abc123\.livekit\.cloud" is the host of LIVEKIT_URL, not the SIP URI host/);
  assert.match(sameAsUrl!, shape);
  assert.match(problem('my-app-abc123.livekit.cloud')!, /looks like a LiveKit project URL's host/);
  assert.match(problem('abc.eu.livekit.cloud')!, /is not a LiveKit Cloud SIP host/);
  assert.match(problem('livekit.cloud')!, shape);
  assert.match(problem('p_abc123.sip.livekit.cloud')!, /remove the "p_" of the project id, e\.g\. abc123\.sip\.livekit\.cloud/);
  for (const p of [guide, sameAsUrl]) assert.ok(!p!.includes('\n'), 'one line');
});

test('self-hosted: any other host, with an optional port', () => {
  for (const ok of ['sip.example.com', 'sip.example.com:5080', '127.0.0.1:5060', 'localhost', 'livekit.cloud.example.com'])
    assert.equal(check(domain, ok).ok, true, ok);
  assert.equal(isSelfHostedSip('sip.example.com:5080'), true);
  assert.equal(isSelfHostedSip('abc.sip.livekit.cloud'), false);
});

test('a refused domain exits 2 in a non-interactive run, naming the flag and the right shape', async () => {
  const guide = await runCli(['swml', '--livekit-sip-domain', 'sip-abc.livekit.cloud']);
  assert.equal(guide.code, 2);
  assert.match(guide.stderr, /^✖ --livekit-sip-domain: "sip-abc\.livekit\.cloud" is not a LiveKit Cloud SIP host .*<project id without "p_">\.sip\.livekit\.cloud/);
  assert.equal(guide.stderr.trim().split('\n').length, 1, guide.stderr);

  const url = await runCli(['swml'], { env: { LIVEKIT_URL: 'wss://my-app-abc123.livekit.cloud', LIVEKIT_SIP_DOMAIN: 'my-app-abc123.livekit.cloud' } });
  assert.equal(url.code, 2);
  assert.match(url.stderr, /LIVEKIT_SIP_DOMAIN: "my-app-abc123\.livekit\.cloud" is the host of LIVEKIT_URL/);
});

test('TCP hop: a listening SIP port passes; a closed one fails with the fix; 5060 unless a port is given', async () => {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const ok = await sipTcpHop(`127.0.0.1:${port}`);
    assert.equal(ok.ok, true, ok.detail);
    assert.equal(ok.title, `SIP port 127.0.0.1:${port} takes TCP connections`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const closed = await sipTcpHop(`127.0.0.1:${port}`);
  assert.equal(closed.ok, false);
  assert.match(closed.detail!, /ECONNREFUSED/);
  assert.match(closed.fix!, new RegExp(`open TCP port ${port}`));

  const seen: Array<[string, number]> = [];
  await sipTcpHop('sip.example.com', async (h, p) => void seen.push([h, p]));
  assert.deepEqual(seen, [['sip.example.com', 5060]]);
});
