// SignalWire's part of the setup's plan: our SWML for the number (a script SignalWire hosts, or the number pointed
// at serve's URL), and the scripts of the trunk's other numbers brought to the same SWML, since the trunk's SIP
// login is shared by every number on it. What is written is remembered: the state after the apply needs no read.
import type { Change } from '../../changes.js';
import type { Values } from '../../settings.js';
import type { CarrierSetup, SetupPlan } from '../carrier.js';
import { signalWireConn, type SignalWireConn } from './http.js';
import { observeSignalWire, planSignalWire, stateAfter, type SignalWireState, type SignalWireWritten } from './route.js';
import { observeSiblingScripts, planSiblingScripts } from './swml-scripts.js';
import { swmlTargetFor } from './target.js';

interface SignalWirePlan extends SetupPlan<SignalWireState> {
  /** This number's SWML brought to the login in `values`. */
  resend(values: Values): Promise<void>;
}

async function plan(
  conn: SignalWireConn,
  e164: string,
  values: Values,
  state: SignalWireState,
  o: { others: readonly string[]; reading: <T>(read: () => Promise<T>) => Promise<T> },
): Promise<SignalWirePlan> {
  const target = swmlTargetFor(values);
  const written: SignalWireWritten = {};
  const own = planSignalWire(conn, e164, target, state, written);
  // The scripts were listed with the number (one listing for all of them).
  const siblings =
    target.kind === 'hosted' ? planSiblingScripts(conn, target, await o.reading(() => observeSiblingScripts(conn, o.others, state.listed))) : [];
  const after = () => (own.length ? stateAfter(state, written) : state);
  let final = after;
  return {
    changes: own,
    siblings,
    after: () => final(),
    resend: async (now) => {
      const target = swmlTargetFor(now);
      const read = after() ?? (await observeSignalWire(conn, e164, target));
      const resent: SignalWireWritten = {};
      for (const c of planSignalWire(conn, e164, target, read, resent)) await c.apply();
      final = () => stateAfter(read, resent);
    },
  };
}

/** Where this number's SWML goes once another run changed the trunk's login. */
async function followLogin(values: Values, planned: SetupPlan<SignalWireState> | undefined): Promise<string> {
  if (swmlTargetFor(values).kind === 'url') return 'the SWML of create-sip-inbound serve (restart it)';
  if (!planned) return 'the SWML below';
  await (planned as SignalWirePlan).resend(values);
  return 'its SWML script';
}

/** Where the number's SWML comes from, which decides who must learn a new SIP login. */
function swmlSource(v: Values): 'script' | 'serve' | 'pasted' {
  if (v.API_BASE_URL) return 'serve';
  return signalWireConn(v) ? 'script' : 'pasted';
}

function callsNote(v: Values, o: { done: readonly Change[]; trunkPending: boolean }): string | undefined {
  const n = v.PHONE_NUMBER;
  if (o.trunkPending)
    return o.done.some((c) => c.target === 'signalwire')
      ? `Inbound calls to ${n} fail until you run this again: SignalWire already sends the new SIP login and the LiveKit trunk still expects the old one. The rerun changes the trunk too, and calls work again.`
      : undefined;
  const source = swmlSource(v);
  if (source === 'serve')
    return `The LiveKit trunk now expects the new SIP login: inbound calls to ${n} fail until create-sip-inbound serve is restarted (it reads the login when it starts).`;
  if (source === 'pasted')
    return `The LiveKit trunk now expects the new SIP login: inbound calls to ${n} fail until the new SWML is pasted in SignalWire (run this again, or create-sip-inbound swml, to get it).`;
  return undefined;
}

export const signalWireSetup: CarrierSetup<SignalWireConn, SignalWireState> = { plan, followLogin, callsNote };
