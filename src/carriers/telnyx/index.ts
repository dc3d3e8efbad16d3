// Telnyx behind the carrier seam: callers import from here, never from the files beside it.
export { telnyxConn, type TelnyxConn } from './http.js';
export * from './route.js';
export { TELNYX_SIGNALLING } from './addresses.js';

import type { Carrier } from '../carrier.js';
import { telnyxConn, type TelnyxConn } from './http.js';
import { listNumbers, observeTelnyx, planTelnyx, planUnrouteTelnyx, telnyxTarget, type TelnyxState, type TelnyxTarget } from './route.js';
import { TELNYX_SIGNALLING } from './addresses.js';
import { telnyxTestCall } from './calls.js';
import { explainTelnyxCall } from './explain.js';

/** Telnyx as a Carrier: an FQDN connection sends the number's calls to LiveKit SIP, which admits Telnyx by address. */
export const telnyx: Carrier<TelnyxConn, TelnyxState, TelnyxTarget> = {
  id: 'telnyx',
  label: 'Telnyx',
  conn: telnyxConn,
  target: telnyxTarget,
  observe: observeTelnyx,
  plan: planTelnyx,
  unroute: planUnrouteTelnyx,
  listNumbers,
  trunkNeeds: () => ({ kind: 'addresses', addresses: TELNYX_SIGNALLING }),
  testCall: telnyxTestCall,
  explain: (conn, c) => explainTelnyxCall(conn, c),
  callLogs: {
    where: "Telnyx's call events (GET /v2/call_events, by the call's leg id)",
    unreached:
      'check the hops above (the number on our FQDN connection, its FQDN and port, the SIP domain, the LiveKit trunk); ' +
      "Telnyx's call events for the call's leg (GET /v2/call_events?filter[leg_id]=…) hold its call.hangup with the SIP answer from LiveKit " +
      "(403 Telnyx's address or the number not on LiveKit's trunk, 404 no trunk for the number, 408 or none: an address LiveKit does not allow)",
  },
};
