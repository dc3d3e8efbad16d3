// `check --call` for a Telnyx number, against the LiveKit, PostgREST and Telnyx stand-ins: Telnyx places the call
// from another number of the account through a Call Control application, our FQDN connection carries it into LiveKit
// SIP (the stand-in's simulated call), and the check walks it through to the agent, then ends it; from an address
// outside Telnyx's ranges the trunk does not answer.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ListUpdate } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { carrierNamed } from '../../src/carriers/index.ts';
import { TELNYX_SIGNALLING } from '../../src/carriers/telnyx/index.ts';
import { applyPlan } from '../../src/changes.ts';
import { runChecks } from '../../src/check/run.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startTelnyx } from '../stand-ins/telnyx.ts';
import { liveKitDialer } from '../stand-ins/swml-executor.ts';
import { setup, NUMBER, OTHER_NUMBER } from '../check/helpers.ts';
import type { Values } from '../../src/settings.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

/** A number on Telnyx as the setup leaves it, and LiveKit's trunk admitting Telnyx's addresses with no login. */
async function telnyxWorld(t: TestContext, sourceAddress?: string) {
  const s = await setup(t, pg, { values: { AGENT_NAME: undefined } });
  const sip = new SipClient(s.lk.url, s.lk.apiKey, s.lk.apiSecret);
  const [trunk] = [...s.lk.trunks.values()];
  await sip.updateSipInboundTrunkFields(trunk!.sipTrunkId, { authUsername: '', authPassword: '', allowedAddresses: new ListUpdate({ set: [...TELNYX_SIGNALLING] }) });
  const tx = await startTelnyx({ dialer: liveKitDialer(s.lk, { host: s.values.LIVEKIT_SIP_DOMAIN! }), ...(sourceAddress ? { sourceAddress } : {}) });
  t.after(() => tx.stop());
  tx.addNumber(NUMBER);
  tx.addNumber(OTHER_NUMBER);
  const values = { ...s.values, CARRIER: 'telnyx', TELNYX_API_KEY: tx.apiKey, TELNYX_API_URL: tx.url, LIVEKIT_SIP_USERNAME: undefined, LIVEKIT_SIP_PASSWORD: undefined };
  const telnyx = carrierNamed('telnyx');
  const conn = telnyx.conn(values)!;
  await applyPlan(telnyx.plan(conn, NUMBER, telnyx.target(values), await telnyx.observe(conn, NUMBER, telnyx.target(values))));
  return { s, tx, values };
}

const callCheck = (values: Values, envFile: string, asked: string[] = []) =>
  runChecks(values, {
    print: false,
    probe: false,
    live: false,
    envFile,
    pollMs: 25,
    interactionWaitMs: 0,
    call: { seconds: 3, settleMs: 100, ringSec: 1, confirm: async (text: string) => (asked.push(text), true) },
  });

test('a Telnyx number: the test call goes through the FQDN connection into LiveKit, the agent joins, the check ends it', async (t) => {
  const { s, tx, values } = await telnyxWorld(t);
  const asked: string[] = [];
  const r = await callCheck(values, s.envFile, asked);
  const call = r.call!;
  assert.equal(call.ok, true, JSON.stringify(call, null, 1));
  assert.match(asked[0]!, /places one call of at most 3 s from \+13105550100 to \+14244851544; Telnyx bills it/);
  assert.deepEqual(call.steps.slice(0, 4).map((x) => [x.title, x.ok]), [
    ['Telnyx placed the call', true],
    ['Room created', true],
    ['SIP participant called our number', true],
    ['Agent joined', true],
  ]);
  const placed = [...tx.calls.values()][0]!;
  assert.equal(placed.is_alive, false, 'the check ended the call');
  assert.equal(placed.sip?.code, 200);
  assert.deepEqual(tx.violations, []);
  assert.ok(!JSON.stringify(r).includes(tx.apiKey), 'no key in the report');
});

test("from an address outside Telnyx's ranges LiveKit's trunk does not answer, and the check says where to look", async (t) => {
  const { s, tx, values } = await telnyxWorld(t, '10.0.0.1');
  const r = await callCheck(values, s.envFile);
  const call = r.call!;
  assert.equal(call.ok, false);
  assert.equal([...tx.calls.values()][0]!.sip?.code, 408, 'no answer from LiveKit');
  const red = call.steps.find((x) => !x.ok && !x.skipped)!;
  assert.equal(red.title, 'LiveKit SIP answered');
  assert.match(red.detail!, /^no room was created: the call did not reach LiveKit, or LiveKit SIP dropped it \(Telnyx reports it completed\)$/);
  assert.match(red.fix!, /LiveKit's trunk admits Telnyx's signalling addresses: a self-hosted LiveKit SIP drops, without a final answer, a call from an address outside the trunk's allowedAddresses$/);
});
