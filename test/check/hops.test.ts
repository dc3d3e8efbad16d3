// The hops that need no service: settings present, DNS, and how a trunk and a rule are judged, with
// LiveKit's own protocol messages as input. Plus how a hop reads on a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoomAgentDispatch, RoomConfiguration, SIPDispatchRule, SIPDispatchRuleIndividual, SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import { envHop } from '../../src/check/env-hop.ts';
import { dnsHop } from '../../src/check/dns-hop.ts';
import { checkRule, checkTrunk } from '../../src/check/livekit-hops.ts';
import { hopLines, dialable } from '../../src/check/report.ts';
import type { Values } from '../../src/settings.ts';
import { NUMBER, THEIR_NUMBER } from '../fixtures.ts';

const full: Values = {
  LIVEKIT_URL: 'ws://localhost:7880',
  LIVEKIT_API_KEY: 'APIfakekey',
  LIVEKIT_API_SECRET: 'fake-secret-not-real-0123456789',
  LIVEKIT_SIP_DOMAIN: 'localhost',
  PHONE_NUMBER: NUMBER,
  SUPABASE_URL: 'http://localhost:54321',
  SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_fake_not_real',
};

function tempEnv(text: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'csi-check-'));
  const file = join(dir, '.env');
  if (text !== undefined) writeFileSync(file, text);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('.env hop: the count is what the file holds of ours, not the number the check needs', () => {
  const lines = Object.entries({ ...full, AGENT_NAME: 'inbound-agent', DEEPGRAM_API_KEY: 'dg', LIVEKIT_SIP_USERNAME: 'u', LIVEKIT_SIP_PASSWORD: 'p' }).map(([k, v]) => `${k}=${v}`);
  const env = tempEnv(`${lines.join('\n')}\nSOMEONE_ELSES=1\n`);
  try {
    const h = envHop(full, env.file);
    assert.equal(h.ok, true);
    assert.equal(h.detail, `${lines.length} settings in ${env.file}, with the 7 the check needs`);
  } finally {
    env.done();
  }
});

test('.env hop: complete passes and says where the values came from; a missing one is named with its flag', () => {
  const env = tempEnv('LIVEKIT_URL=ws://localhost:7880\n');
  try {
    const ok = envHop(full, env.file);
    assert.equal(ok.ok, true);
    assert.match(ok.detail!, /not in .*\.env: LIVEKIT_API_KEY/);
    const { SUPABASE_URL: _, ...noUrl } = full;
    const bad = envHop(noUrl, env.file);
    assert.equal(bad.ok, false);
    assert.match(bad.detail!, /--supabase-url \(SUPABASE_URL\)/);
    assert.ok(bad.fix);
  } finally {
    env.done();
  }
});

test('.env hop: half a set (SIP username without password) fails', () => {
  const env = tempEnv(undefined);
  try {
    const h = envHop({ ...full, LIVEKIT_SIP_USERNAME: 'csi-user' }, env.file);
    assert.equal(h.ok, false);
    assert.match(h.detail!, /LIVEKIT_SIP_PASSWORD/);
    assert.match(h.fix!, /or none/);
  } finally {
    env.done();
  }
});

test('.env hop: a carrier\'s credentials come together, for every carrier (a signing key or an API URL alone is fine)', () => {
  const env = tempEnv(undefined);
  try {
    const sw = envHop({ ...full, SIGNALWIRE_PROJECT_ID: 'p' }, env.file);
    assert.equal(sw.ok, false);
    assert.match(sw.detail!, /SIGNALWIRE_API_TOKEN.*SIGNALWIRE_SPACE_URL.* missing while SIGNALWIRE_PROJECT_ID is set/);
    assert.match(sw.fix!, /\(the SignalWire API needs all three\)$/);
    const tw = envHop({ ...full, TWILIO_ACCOUNT_SID: 'AC1' }, env.file);
    assert.equal(tw.ok, false);
    assert.match(tw.detail!, /TWILIO_AUTH_TOKEN\) missing while TWILIO_ACCOUNT_SID is set/);
    assert.match(tw.fix!, /^set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or none \(the Twilio API needs both\)$/);
    for (const alone of [{ SIGNALWIRE_SIGNING_KEY: 'k' }, { TWILIO_API_URL: 'http://localhost:1' }, { TELNYX_API_KEY: 'KEY1' }])
      assert.equal(envHop({ ...full, ...alone }, env.file).ok, true, JSON.stringify(alone));
  } finally {
    env.done();
  }
});

test('DNS hop: localhost resolves, a .invalid name does not (RFC 6761), an injected resolver decides', async () => {
  assert.equal((await dnsHop('localhost')).ok, true);
  assert.equal((await dnsHop('localhost:5060')).ok, true, 'the port is not part of the name');
  const bad = await dnsHop('x.invalid');
  assert.equal(bad.ok, false);
  assert.match(bad.detail!, /x\.invalid does not resolve/);
  assert.match(bad.fix!, /LIVEKIT_SIP_DOMAIN/);
  const seen: string[] = [];
  const injected = await dnsHop('abc123xyz.sip.livekit.cloud', async (h) => {
    seen.push(h);
    throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
  });
  assert.deepEqual(seen, ['abc123xyz.sip.livekit.cloud']);
  assert.match(injected.detail!, /ENOTFOUND/);
});

const trunk = (numbers: string[], over: Partial<SIPInboundTrunkInfo> = {}) =>
  new SIPInboundTrunkInfo({ sipTrunkId: 'ST_test1', name: 'create-sip-inbound', numbers, ...over });

test('trunk hop: the number in any form LiveKit matches passes; a form it reads otherwise or another number fails with the fix', () => {
  assert.equal(checkTrunk([trunk([NUMBER])], full).hop.ok, true);
  assert.equal(checkTrunk([trunk(['14244851544'])], full).hop.ok, true, 'LiveKit adds the missing +');

  const other = checkTrunk([trunk(['(424) 485-1544'])], full).hop;
  assert.equal(other.ok, false);
  assert.match(other.detail!, /holds it as "\(424\) 485-1544", which LiveKit reads as "\+4244851544"/);
  assert.match(other.fix!, /replace "\(424\) 485-1544" with \+14244851544/);

  const none = checkTrunk([trunk([THEIR_NUMBER])], full).hop;
  assert.equal(none.ok, false);
  assert.match(none.detail!, /no inbound trunk holds \+14244851544 .*\+16505550100/);
  assert.match(none.fix!, /--number \+14244851544/);
});

test('trunk hop: digest auth on the trunk must be the auth .env gives the SWML; the password is never shown', () => {
  const t = trunk([NUMBER], { authUsername: 'csi-user', authPassword: 'trunk-pass-fake' });
  const ok = checkTrunk([t], { ...full, LIVEKIT_SIP_USERNAME: 'csi-user', LIVEKIT_SIP_PASSWORD: 'trunk-pass-fake' }).hop;
  assert.equal(ok.ok, true);
  const wrongUser = checkTrunk([t], { ...full, LIVEKIT_SIP_USERNAME: 'other', LIVEKIT_SIP_PASSWORD: 'trunk-pass-fake' }).hop;
  assert.equal(wrongUser.ok, false);
  const wrongPass = checkTrunk([t], { ...full, LIVEKIT_SIP_USERNAME: 'csi-user', LIVEKIT_SIP_PASSWORD: 'env-pass-fake' }).hop;
  assert.equal(wrongPass.ok, false);
  assert.ok(!JSON.stringify(wrongPass).includes('trunk-pass-fake') && !JSON.stringify(wrongPass).includes('env-pass-fake'));
});

const rule = (agents: string[], trunkIds = ['ST_test1']) =>
  new SIPDispatchRuleInfo({
    sipDispatchRuleId: 'SDR_test1',
    name: 'create-sip-inbound',
    trunkIds,
    rule: new SIPDispatchRule({ rule: { case: 'dispatchRuleIndividual', value: new SIPDispatchRuleIndividual({ roomPrefix: 'sip-' }) } }),
    roomConfig: new RoomConfiguration({ agents: agents.map((agentName) => new RoomAgentDispatch({ agentName })) }),
  });

test('rule hop: explicit dispatch needs the agent on the rule; automatic needs none; the fix explains both', () => {
  const t = trunk([NUMBER]);
  assert.equal(checkRule([rule(['inbound-agent'])], t, NUMBER, 'inbound-agent').hop.ok, true);
  assert.equal(checkRule([rule([])], t, NUMBER, undefined).hop.ok, true);
  assert.equal(checkRule([rule([], [])], t, NUMBER, undefined).hop.ok, true, 'a rule without trunks covers every trunk');

  const missing = checkRule([rule([])], t, NUMBER, 'inbound-agent').hop;
  assert.equal(missing.ok, false);
  assert.match(missing.detail!, /names no agent, but AGENT_NAME is "inbound-agent"/);
  assert.match(missing.fix!, /explicit dispatch/);

  const unexpected = checkRule([rule(['inbound-agent'])], t, NUMBER, undefined).hop;
  assert.equal(unexpected.ok, false);
  assert.match(unexpected.fix!, /automatic/);
  assert.match(unexpected.fix!, /AGENT_NAME=inbound-agent/);

  const uncovered = checkRule([rule(['inbound-agent'], ['ST_other'])], t, NUMBER, 'inbound-agent').hop;
  assert.equal(uncovered.ok, false);
  assert.match(uncovered.detail!, /no dispatch rule covers trunk/);
});

test('report: ✓ and ✗ lines, the fix under a ✗, a skipped hop marked as such; the number read out', () => {
  assert.equal(hopLines({ title: 'A', ok: true, detail: 'fine' }), '✓ A: fine');
  assert.equal(hopLines({ title: 'B', ok: false, detail: 'broken', fix: 'mend it' }), '✗ B: broken\n    fix: mend it');
  assert.equal(hopLines({ title: 'C', ok: false, skipped: true, detail: 'needs B', fix: 'x' }), '– C: skipped, needs B');
  assert.equal(dialable(NUMBER), '+1 424 485 1544');
});
