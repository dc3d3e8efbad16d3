// The agent probe waits well: it backs off (a probe with no agent sends few requests), Enter skips it, and a
// worker that joins late is still seen.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { liveKitApi } from '../../src/check/livekit-api.ts';
import { loadKinds } from '../../src/check/participants.ts';
import { probeAgent } from '../../src/check/probe.ts';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { connOf } from '../livekit/helpers.ts';

let lk: LiveKitStandIn;
before(async () => {
  lk = await startLiveKit();
  await loadKinds();
});
after(() => lk?.stop());

const lists = () => lk.requests.filter((r) => r.path.endsWith('/ListParticipants')).length;

test('with no agent running, the probe backs off: at most 10 looks over its whole wait', async () => {
  lk.requests.length = 0;
  const api = await liveKitApi(connOf(lk));
  // The default schedule scaled down 10×: first look after 25 ms, doubling to a cap, over 2 s.
  const r = await probeAgent(api, connOf(lk), { agentName: 'inbound-agent', ruleAgents: ['inbound-agent'], roomPrefix: 'sip-', timeoutMs: 2_000, pollMs: 25 });
  assert.equal(r.ok, false);
  assert.match(r.detail, /^no agent joined in 2\.0 s/);
  const n = lists();
  assert.ok(n >= 5 && n <= 10, `${n} ListParticipants requests`);
});

test('an agent that joins after a second is still seen, and Enter (an abort) skips the wait at once', async () => {
  const api = await liveKitApi(connOf(lk));
  lk.registerWorker('late-agent', { joinDelayMs: 1_200 });
  const late = await probeAgent(api, connOf(lk), { agentName: 'late-agent', ruleAgents: ['late-agent'], roomPrefix: 'sip-', timeoutMs: 5_000 });
  assert.equal(late.ok, true, late.detail);
  lk.unregisterWorkers();

  const enter = new AbortController();
  setTimeout(() => enter.abort(), 300);
  const started = Date.now();
  const skipped = await probeAgent(api, connOf(lk), { agentName: 'nobody', ruleAgents: ['nobody'], roomPrefix: 'sip-', timeoutMs: 20_000, signal: enter.signal });
  assert.equal(skipped.skipped, true);
  assert.match(skipped.detail, /^skipped with Enter after 0\.\d s/);
  assert.ok(Date.now() - started < 5_000);
});

test('an unnamed worker that joins the named dispatch\'s new room does not pass the probe for the named agent', async () => {
  const api = await liveKitApi(connOf(lk));
  lk.registerWorker(); // automatic dispatch: LiveKit hands it the probe's new room too
  try {
    const r = await probeAgent(api, connOf(lk), { agentName: 'inbound-agent', ruleAgents: ['inbound-agent'], roomPrefix: 'sip-', timeoutMs: 600, pollMs: 25 });
    assert.equal(r.ok, false, r.detail);
    assert.match(r.detail, /^no agent joined/);
    lk.registerWorker('inbound-agent');
    const named = await probeAgent(api, connOf(lk), { agentName: 'inbound-agent', ruleAgents: ['inbound-agent'], roomPrefix: 'sip-', timeoutMs: 2_000, pollMs: 25 });
    assert.equal(named.ok, true, named.detail);
  } finally {
    lk.unregisterWorkers();
  }
});
