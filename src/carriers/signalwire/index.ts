// SignalWire behind the carrier seam: callers import from here, never from the files beside it.
export * from './rest.js';
export { swmlTargetFor } from './target.js';

import type { Carrier } from '../carrier.js';
import { listNumbers, observeSignalWire, planSignalWire, planUnpointNumber, signalWireConn, type SignalWireConn, type SignalWireState, type SwmlTarget } from './rest.js';
import { swmlTargetFor } from './target.js';

/** SignalWire as a Carrier: the number runs SWML that dials LiveKit SIP with a digest login. */
export const signalwire: Carrier<SignalWireConn, SignalWireState, SwmlTarget> = {
  id: 'signalwire',
  label: 'SignalWire',
  conn: signalWireConn,
  target: swmlTargetFor,
  observe: observeSignalWire,
  plan: (conn, e164, target, state) => planSignalWire(conn, e164, target, state),
  unroute: planUnpointNumber,
  listNumbers: async (conn) => (await listNumbers(conn)).map((n) => n.number),
  trunkNeeds: () => ({ kind: 'login' }),
};
