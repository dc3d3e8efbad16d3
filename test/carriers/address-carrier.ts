// What the call-check tests of carriers admitted by address (Twilio, Telnyx) share: a number routed by the carrier's
// own plan against its stand-in, LiveKit's trunk admitting the carrier's addresses with no login, and `check --call`
// run with short timings.
import type { TestContext } from 'node:test';
import { ListUpdate } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { carrierNamed } from '../../src/carriers/index.ts';
import { applyPlan } from '../../src/changes.ts';
import { runChecks } from '../../src/check/run.ts';
import type { Values } from '../../src/settings.ts';
import type { Postgres } from '../stand-ins/postgres.ts';
import type { SipDialer } from '../stand-ins/sip-dialer.ts';
import { liveKitDialer } from '../stand-ins/swml-executor.ts';
import { setup, NUMBER, OTHER_NUMBER } from '../check/helpers.ts';

interface StandIn {
  addNumber(e164: string): unknown;
  stop(): Promise<void>;
}

export interface AddressCarrier<S extends StandIn> {
  id: string;
  addresses: readonly string[];
  start(o: { dialer: SipDialer; sourceAddress?: string }): Promise<S>;
  /** The carrier's settings pointing at the stand-in. */
  values(standIn: S): Values;
}

/** A number on the carrier as the setup leaves it (our NUMBER and OTHER_NUMBER in the account). */
export async function addressCarrierWorld<S extends StandIn>(t: TestContext, pg: Postgres, c: AddressCarrier<S>, sourceAddress?: string) {
  const s = await setup(t, pg, { values: { AGENT_NAME: undefined } });
  const sip = new SipClient(s.lk.url, s.lk.apiKey, s.lk.apiSecret);
  const [trunk] = [...s.lk.trunks.values()];
  await sip.updateSipInboundTrunkFields(trunk!.sipTrunkId, { authUsername: '', authPassword: '', allowedAddresses: new ListUpdate({ set: [...c.addresses] }) });
  const standIn = await c.start({ dialer: liveKitDialer(s.lk, { host: s.values.LIVEKIT_SIP_DOMAIN! }), ...(sourceAddress ? { sourceAddress } : {}) });
  t.after(() => standIn.stop());
  standIn.addNumber(NUMBER);
  standIn.addNumber(OTHER_NUMBER);
  const values: Values = { ...s.values, CARRIER: c.id, ...c.values(standIn), LIVEKIT_SIP_USERNAME: undefined, LIVEKIT_SIP_PASSWORD: undefined };
  const carrier = carrierNamed(c.id);
  const conn = carrier.conn(values)!;
  await applyPlan(carrier.plan(conn, NUMBER, carrier.target(values), await carrier.observe(conn, NUMBER, carrier.target(values))));
  return { s, standIn, values };
}

/** `check --call` with short timings, no probe and no live watch; the cost question is answered yes and kept. */
export const callCheck = (values: Values, envFile: string, asked: string[] = []) =>
  runChecks(values, {
    print: false,
    probe: false,
    live: false,
    envFile,
    pollMs: 25,
    interactionWaitMs: 0,
    call: { seconds: 3, settleMs: 100, ringSec: 1, confirm: async (text: string) => (asked.push(text), true) },
  });
