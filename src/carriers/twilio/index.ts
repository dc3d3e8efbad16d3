// Twilio behind the carrier seam: callers import from here, never from the files beside it.
export { twilioConn, type TwilioConn } from './http.js';
export * from './route.js';
export { TWILIO_SIGNALLING } from './addresses.js';

import type { Carrier } from '../carrier.js';
import { twilioConn, type TwilioConn } from './http.js';
import { listNumbers, observeTwilio, planTwilio, planUnrouteTwilio, twilioTarget, type TwilioState, type TwilioTarget } from './route.js';
import { TWILIO_SIGNALLING } from './addresses.js';
import { twilioTestCall } from './calls.js';
import { explainTwilioCall } from './insights.js';

/** Twilio as a Carrier: an Elastic SIP trunk sends the number's calls to LiveKit SIP, which admits Twilio by address. */
export const twilio: Carrier<TwilioConn, TwilioState, TwilioTarget> = {
  id: 'twilio',
  label: 'Twilio',
  conn: twilioConn,
  target: twilioTarget,
  observe: observeTwilio,
  plan: planTwilio,
  unroute: planUnrouteTwilio,
  listNumbers,
  trunkNeeds: () => ({ kind: 'addresses', addresses: TWILIO_SIGNALLING }),
  testCall: twilioTestCall,
  explain: (conn, c) => explainTwilioCall(conn, c),
};
