// Telnyx's test call through its stand-in into the real LiveKit SIP (carrier-call.ts): the setup gives the real
// trunk Telnyx's signalling addresses and no login; a call over the FQDN connection from an address the trunk allows
// reaches the agent, one from an address it does not allow is dropped.
import { TELNYX_SIGNALLING } from '../../src/carriers/telnyx/index.ts';
import { startTelnyx } from '../stand-ins/telnyx.ts';
import { carrierCallTests } from './carrier-call.ts';

carrierCallTests({
  id: 'telnyx',
  label: 'Telnyx',
  start: startTelnyx,
  addresses: TELNYX_SIGNALLING,
  env: (tx) => ({ TELNYX_API_KEY: tx.apiKey, TELNYX_API_URL: tx.url }),
  // Telnyx's call record says only whether the call is alive, so the check says how far the call got.
  refused: /^✗ Test call: no room was created: the call did not reach LiveKit, or LiveKit SIP dropped it \(Telnyx reports it completed\)$/m,
});
