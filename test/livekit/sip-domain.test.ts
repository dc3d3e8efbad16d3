// The SIP domain's shape (LiveKit Cloud's SIP hosts are <project id>.sip.livekit.cloud), refused in one line
// with exit 2 when it cannot take SIP calls, and the check's SIP OPTIONS hop on a self-hosted SIP port.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isSelfHostedSip, sipOptionsHop } from '../../src/check/sip-options-hop.ts';
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

test('SIP hop: an OPTIONS answered in SIP passes with its status line; HTTP, silence, a hang-up or a closed port fail', async () => {
  const serve = async (onData: (s: Socket, text: string) => void) => {
    const server = createServer((s) => s.on('data', (d) => onData(s, d.toString())).on('error', () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, domain: `127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
  };
  const sip = await serve((s, t) => s.write(`SIP/2.0 200 OK\r\nCSeq: ${/CSeq: (.*)\r\n/.exec(t)![1]}\r\nContent-Length: 0\r\n\r\n`));
  const http = await serve((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  const silent = await serve(() => {});
  const hangup = await serve((s) => s.end());
  try {
    const ok = await sipOptionsHop(sip.domain);
    assert.equal(ok.ok, true, ok.detail);
    assert.match(ok.detail!, new RegExp(`${sip.domain} answered SIP/2\\.0 200 OK in \\d`));
    const web = await sipOptionsHop(http.domain);
    assert.equal(web.ok, false);
    assert.match(web.detail!, /answered as an HTTP server \(HTTP\/1\.1 400 Bad Request\): it is not a SIP service/);
    assert.match(web.fix!, /LiveKit SIP listens on 5060/);
    const quiet = await sipOptionsHop(silent.domain, undefined, 300);
    assert.equal(quiet.ok, false);
    assert.match(quiet.detail!, /sent no SIP answer within 0\.3 s/);
    assert.doesNotMatch(quiet.detail!, /\b\d{3}\b.*answered/);
    const dropped = await sipOptionsHop(hangup.domain);
    assert.match(dropped.detail!, /closed it without a SIP answer/);
  } finally {
    await Promise.all([sip.close(), http.close(), silent.close(), hangup.close()]);
  }
  const closed = await sipOptionsHop(sip.domain);
  assert.equal(closed.ok, false);
  assert.match(closed.detail!, /ECONNREFUSED/);
  assert.match(closed.fix!, new RegExp(`open TCP port ${sip.domain.split(':')[1]}`));

  const seen: Array<[string, number]> = [];
  await sipOptionsHop('sip.example.com', async (h, p, request) => {
    seen.push([h, p]);
    assert.match(request, /^OPTIONS sip:sip\.example\.com:5060;transport=tcp SIP\/2\.0\r\nVia: SIP\/2\.0\/TCP [^;]+;branch=z9hG4bK/);
    return { line: 'SIP/2.0 200 OK', ms: 2 };
  });
  assert.deepEqual(seen, [['sip.example.com', 5060]]);
});
