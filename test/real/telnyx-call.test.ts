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
  env: (tx) => tx.settings(),
  // Telnyx's call events hold the leg's hangup: the 408 Telnyx gave up with, explained.
  refused: /^✗ Test call: no SIP answer from 127\.0\.0\.1:\d+ \(Telnyx gave up: 408 Request Timeout\): LiveKit ignores, without answering, an INVITE from an address its trunk does not allow.*\(Telnyx call events: sip_hangup_cause 408/m,
});
