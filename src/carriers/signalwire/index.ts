// SignalWire behind the carrier seam: callers import from here, never from the files beside it.
export { signalWireConn, type SignalWireConn } from './http.js';
export * from './numbers.js';
export * from './swml-scripts.js';
export * from './route.js';
export * from './calling.js';
export * from './voice-logs.js';
export { swmlTargetFor } from './target.js';

import type { Carrier } from '../carrier.js';
import { signalWireConn, type SignalWireConn } from './http.js';
import { listNumbers } from './numbers.js';
import { observeSignalWire, planSignalWire, planUnpointNumber, type SignalWireState } from './route.js';
import type { SwmlTarget } from './swml-scripts.js';
import { swmlTargetFor } from './target.js';
import { explainSignalWireCall, signalWireTestCall } from './test-call.js';
import { signalWireHops } from './hops.js';

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
  hops: signalWireHops,
  testCall: signalWireTestCall,
  explain: explainSignalWireCall,
};
