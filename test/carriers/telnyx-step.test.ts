// The setup's carrier step for a Telnyx number against the Telnyx stand-in: only the API key is asked, saying where
// to find it, and a rejected key is named and asked again without showing it; a number not in the account is named.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTelnyx, type TelnyxStandIn } from '../stand-ins/telnyx.ts';
import { askCarrierCredentials } from '../../src/steps/carrier.ts';
import { script, session } from '../steps/helpers.ts';
import { NUMBER } from '../fixtures.ts';

let tx: TelnyxStandIn;
before(async () => {
  tx = await startTelnyx();
  tx.addNumber(NUMBER);
});
after(() => tx.stop());

test('asks the API key with where to find it, and a rejected key again', async () => {
  const s = session({ PHONE_NUMBER: NUMBER, CARRIER: 'telnyx', TELNYX_API_URL: tx.url });
  const run = script([
    [/Telnyx API key[\s\S]*API Keys[\s\S]*portal\.telnyx\.com/, 'KEYwrong-key-0000'],
    ['Telnyx API key', tx.apiKey],
  ]);
  await askCarrierCredentials(s);
  run.done();
  assert.equal(s.values.TELNYX_API_KEY, tx.apiKey);
  assert.ok(run.logs.some((l) => l.startsWith('error:') && l.includes('TELNYX_API_KEY') && !l.includes('wrong-key')));
  assert.deepEqual(tx.violations, []);
});
