// Twilio's test call through its stand-in into the real LiveKit SIP (carrier-call.ts): the setup gives the real
// trunk Twilio's signalling ranges and no login; a call from an address the trunk allows reaches the agent, one
// from an address it does not allow is dropped.
import { TWILIO_SIGNALLING } from '../../src/carriers/twilio/index.ts';
import { startTwilio } from '../stand-ins/twilio.ts';
import { carrierCallTests } from './carrier-call.ts';

carrierCallTests({
  id: 'twilio',
  label: 'Twilio',
  start: startTwilio,
  addresses: TWILIO_SIGNALLING,
  env: (tw) => ({ TWILIO_ACCOUNT_SID: tw.accountSid, TWILIO_AUTH_TOKEN: tw.authToken, TWILIO_API_URL: tw.url, TWILIO_TRUNKING_URL: tw.url }),
});
