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
  env: (tw) => tw.settings(),
  // From Voice Insights: the SIP answer Twilio's trunk got, here none before it gave up.
  refused: /^✗ Test call: no SIP answer from 127\.0\.0\.1:\d+ \(Twilio gave up: 408 Request Timeout\): LiveKit ignores, without answering, an INVITE from an address its trunk does not allow/m,
});
