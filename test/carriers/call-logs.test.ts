// Where each carrier's console shows a call that never reached LiveKit: check --live's fix and the setup's
// closing "Logs" line take the carrier's own words, and a carrier without them gets the generic ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARRIERS } from '../../src/carriers/index.ts';
import { unreachedFix } from '../../src/carriers/carrier.ts';
import { nextSteps } from '../../src/steps/summary.ts';
import { session } from '../steps/helpers.ts';

test("check --live's fix for a call that never reached LiveKit names the carrier's own logs", () => {
  assert.equal(
    unreachedFix(CARRIERS.signalwire!),
    'check the hops above (the number runs the SWML, the SIP domain, the trunk); SignalWire → Logs → Voice shows the SIP answer ' +
      '(404 no trunk for the number, 401/407 digest auth, 603 a trial space)',
  );
  const twilio = unreachedFix(CARRIERS.twilio!);
  assert.match(twilio, /the number on our Elastic SIP trunk, its origination URL/);
  assert.match(twilio, /Twilio Console → Monitor → Logs → Calls shows the call, and its Voice Insights summary the SIP answer/);
  assert.doesNotMatch(twilio, /SWML|SignalWire/);
  const telnyx = unreachedFix(CARRIERS.telnyx!);
  assert.match(telnyx, /the number on our FQDN connection, its FQDN and port/);
  assert.match(telnyx, /Telnyx's call events for the call's leg \(GET \/v2\/call_events\?filter\[leg_id\]=…\) hold its call\.hangup with the SIP answer/);
  assert.doesNotMatch(telnyx, /SWML|SignalWire/);
  assert.equal(
    unreachedFix({ label: 'Acme' }),
    "check the hops above (the number's route, the SIP domain, the trunk); Acme's call logs show the SIP answer",
  );
});

test("the setup's closing lines name the carrier's logs and its test call", () => {
  const s = session({
    CARRIER: 'twilio',
    PHONE_NUMBER: '+14244851544',
    LIVEKIT_URL: 'wss://my-app-abc.livekit.cloud',
    TWILIO_ACCOUNT_SID: 'ACfake',
    TWILIO_AUTH_TOKEN: 'fake-token',
  }, { envFile: '.env' });
  const [, call, logs] = nextSteps(s);
  assert.match(call!, /no phone \(Twilio places one short call, billed\): npx create-sip-inbound check --call --number \+14244851544\n/);
  assert.match(logs!, /; Twilio Console → Monitor → Logs → Calls$/);
  assert.doesNotMatch(logs!, /SignalWire/);

  const telnyx = session({ CARRIER: 'telnyx', PHONE_NUMBER: '+14244851544', LIVEKIT_URL: 'wss://lk.example.com' }, { envFile: '.env' });
  const [, call2, logs2] = nextSteps(telnyx);
  assert.doesNotMatch(call2!, /--call/, 'no credentials: no test call to place');
  assert.match(logs2!, /; Telnyx's call events \(GET \/v2\/call_events, by the call's leg id\)$/);
});
