// The setup's Twilio step against the Twilio stand-in: only Twilio's credentials are asked, each saying where to
// find it, and a rejected token is named and asked again; SignalWire's numbers skip the step.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTwilio, type TwilioStandIn } from '../stand-ins/twilio.ts';
import { askCarrierCredentials } from '../../src/steps/carrier.ts';
import { script, session } from '../steps/helpers.ts';
import { NUMBER } from '../fixtures.ts';

let tw: TwilioStandIn;
before(async () => {
  tw = await startTwilio();
  tw.addNumber(NUMBER);
});
after(() => tw.stop());


test('asks the account SID and auth token with where to find them, and a rejected token again', async () => {
  const s = session({ PHONE_NUMBER: NUMBER, CARRIER: 'twilio', ...tw.urls() });
  const run = script([
    [/Twilio Account SID[\s\S]*Account Info/, tw.accountSid],
    [/Twilio Auth Token[\s\S]*Account Info/, 'wrong-token-0000'],
    ['Twilio Account SID', tw.accountSid],
    ['Twilio Auth Token', tw.authToken],
  ]);
  await askCarrierCredentials(s);
  run.done();
  assert.equal(s.values.TWILIO_AUTH_TOKEN, tw.authToken);
  assert.ok(run.logs.some((l) => l.startsWith('error:') && l.includes('TWILIO_AUTH_TOKEN') && !l.includes('wrong-token')));
});

test('a SignalWire number asks nothing here', async () => {
  const s = session({ PHONE_NUMBER: NUMBER });
  const run = script([]);
  await askCarrierCredentials(s);
  run.done();
});
