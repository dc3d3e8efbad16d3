// The carrier comes first: a select of the registry's carriers, prefilled from CARRIER (environment or .env) or
// from the credentials given, and not shown when --carrier names it, without prompts, or with --yes. The choice
// decides whose credentials come next (each with where to find it) and goes to .env as CARRIER.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CARRIERS } from '../../src/carriers/index.ts';
import { askCarrier, askCarrierCredentials } from '../../src/steps/carrier.ts';
import { envUpdates } from '../../src/steps/plan.ts';
import { askSignalWire } from '../../src/steps/signalwire.ts';
import { startTwilio, type TwilioStandIn } from '../stand-ins/twilio.ts';
import { NUMBER } from '../fixtures.ts';
import { script, session } from './helpers.ts';

let tw: TwilioStandIn;
before(async () => {
  tw = await startTwilio();
  tw.addNumber(NUMBER);
});
after(() => tw.stop());

const LABELS = Object.values(CARRIERS).map((c) => c.label);

test('a first run with no carrier credentials: every carrier offered, SignalWire first; Twilio picked, then only its credentials', async () => {
  const s = session({ PHONE_NUMBER: NUMBER, ...tw.urls() });
  const run = script([
    [/^Carrier of the number\n/, (p) => (assert.deepEqual(p.options!.map((o) => o.label), LABELS), assert.equal(p.initialValue, 'signalwire'), 'twilio')],
    [/Twilio Account SID[\s\S]*Account Info → Account SID: https:\/\/console\.twilio\.com/, tw.accountSid],
    [/Twilio Auth Token[\s\S]*https:\/\/console\.twilio\.com/, tw.authToken],
  ]);
  await askCarrier(s);
  assert.equal(await askSignalWire(s), undefined, 'no SignalWire question for a Twilio number');
  await askCarrierCredentials(s);
  run.done();
  assert.equal(s.values.CARRIER, 'twilio');
  assert.equal(envUpdates(s).CARRIER, 'twilio', 'written to .env, so a rerun prefills it');
  assert.ok(!run.asked.some((p) => /SignalWire/.test(p.message)));
});

test('Twilio credentials already given: Twilio is prefilled and says why', async () => {
  const s = session({ PHONE_NUMBER: NUMBER, TWILIO_ACCOUNT_SID: tw.accountSid, ...tw.urls() });
  const run = script([
    [
      'Carrier of the number (from the Twilio credentials given)',
      (p) => (assert.equal(p.initialValue, 'twilio'), assert.deepEqual(p.options!.find((o) => o.value === 'twilio'), { value: 'twilio', label: 'Twilio', hint: 'credentials given' }), ''),
    ],
  ]);
  await askCarrier(s);
  run.done();
  assert.equal(s.values.CARRIER, 'twilio');
});

test('CARRIER in .env prefills the select over the credentials found, and SignalWire keeps its own step', async () => {
  const s = session({ PHONE_NUMBER: NUMBER, TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000' }, { sources: { CARRIER: 'env-file', PHONE_NUMBER: 'env' }, values: { PHONE_NUMBER: NUMBER, TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000', CARRIER: 'signalwire' } });
  const run = script([
    ['Carrier of the number (from CARRIER in .env)', (p) => (assert.equal(p.initialValue, 'signalwire'), '')],
    ['Point the number at the SWML automatically?', false],
  ]);
  await askCarrier(s);
  await askSignalWire(s);
  await askCarrierCredentials(s);
  run.done();
  assert.equal(s.values.CARRIER, 'signalwire');
});

test('not asked: given by --carrier, without prompts, with --yes, or updating a number whose carrier .env names', async () => {
  const cases = [
    session({ PHONE_NUMBER: NUMBER, CARRIER: 'twilio' }, { sources: { CARRIER: 'flag' }, values: { PHONE_NUMBER: NUMBER, CARRIER: 'twilio' } }),
    session({ PHONE_NUMBER: NUMBER }, { interactive: false }),
    session({ PHONE_NUMBER: NUMBER }, { yes: true }),
    Object.assign(session({ PHONE_NUMBER: NUMBER, CARRIER: 'signalwire' }), { mode: 'update' as const }),
  ];
  const run = script([]);
  for (const s of cases) await askCarrier(s);
  run.done();
  assert.equal(cases[1]!.values.CARRIER, undefined, 'without prompts the carrier stays detected, not written');
});

test('updating a number whose carrier nothing names asks it; adding a number asks it again, prefilled', async () => {
  const update = Object.assign(session({ PHONE_NUMBER: NUMBER }), { mode: 'update' as const });
  const add = Object.assign(session({ PHONE_NUMBER: NUMBER, CARRIER: 'twilio' }), { mode: 'add' as const });
  const run = script([
    ['Carrier of the number', ''],
    ['Carrier of the number (from CARRIER)', (p) => (assert.equal(p.initialValue, 'twilio'), 'signalwire')],
  ]);
  await askCarrier(update);
  await askCarrier(add);
  run.done();
  assert.equal(update.values.CARRIER, 'signalwire');
  assert.equal(add.values.CARRIER, 'signalwire');
});
