// SignalWire behind the carrier seam: callers import from here, never from the files beside it.
export { signalWireConn, type SignalWireConn } from './http.js';
export * from './numbers.js';
export * from './swml-scripts.js';
export * from './route.js';
export * from './calling.js';
export * from './voice-logs.js';
export { swmlTargetFor } from './target.js';
export { SWML_FILE } from './handover.js';

import type { Carrier } from '../carrier.js';
import { signalWireConn, type SignalWireConn } from './http.js';
import { listNumbers } from './numbers.js';
import { observeSignalWire, planSignalWire, planUnpointNumber, unpointNote, type SignalWireState } from './route.js';
import { numberPage } from './dashboard.js';
import { signalWireHandover } from './handover.js';
import { signalWireSetup } from './setup-plan.js';
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
  readKey: (target) => target.kind,
  plan: (conn, e164, target, state) => planSignalWire(conn, e164, target, state),
  unroute: planUnpointNumber,
  listNumbers: async (conn) => (await listNumbers(conn)).map((n) => n.number),
  trunkNeeds: () => ({ kind: 'login' }),
  hops: signalWireHops,
  testCall: signalWireTestCall,
  explain: explainSignalWireCall,
  callLogs: {
    where: 'SignalWire → Logs → Voice',
    unreached:
      'check the hops above (the number runs the SWML, the SIP domain, the trunk); SignalWire → Logs → Voice shows the SIP answer ' +
      '(404 no trunk for the number, 401/407 digest auth, 603 a trial space)',
  },
  removal: {
    question: (e164) => `Delete our SWML script for ${e164} on SignalWire?`,
    byHand: (e164) => `if the number runs our SWML, change it under ${numberPage(e164)}`,
    note: unpointNote,
  },
  setup: signalWireSetup,
  handover: signalWireHandover,
};
