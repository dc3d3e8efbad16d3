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
  // A live call gives the check no call SID to ask Voice Insights with: the person looks the call up.
  callLogs: {
    where: 'Twilio Console → Monitor → Logs → Calls',
    unreached:
      'check the hops above (the number on our Elastic SIP trunk, its origination URL, the SIP domain, the LiveKit trunk); ' +
      'Twilio Console → Monitor → Logs → Calls shows the call, and its Voice Insights summary the SIP answer from LiveKit ' +
      "(403 Twilio's address or the number not on LiveKit's trunk, 404 no trunk for the number or no ;transport=tcp, none: an address LiveKit does not allow)",
  },
};
