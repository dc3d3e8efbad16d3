// The registry: each known carrier answers to its own id, and an unknown one is refused with the names that work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARRIERS, carrierNamed } from '../../src/carriers/index.ts';
import { CARRIER_IDS } from '../../src/settings.ts';

test('every registered carrier answers to its own id', () => {
  assert.deepEqual(Object.keys(CARRIERS), [...CARRIER_IDS], 'the CARRIER setting offers exactly the registered carriers');
  for (const id of Object.keys(CARRIERS)) assert.equal(carrierNamed(id).id, id);
});

test('an unknown carrier is refused in one line naming the known ones', () => {
  assert.throws(() => carrierNamed('twilo'), { name: 'UsageError', message: '--carrier (CARRIER): unknown carrier "twilo"; known carriers are signalwire, twilio, telnyx.' });
});

test('SignalWire has no connection until its three settings are there, and its trunk needs a digest login', () => {
  const sw = carrierNamed('signalwire');
  assert.equal(sw.conn({}), undefined);
  assert.ok(sw.conn({ SIGNALWIRE_SPACE_URL: 'example.signalwire.com', SIGNALWIRE_PROJECT_ID: 'p', SIGNALWIRE_API_TOKEN: 't' }));
  assert.deepEqual(sw.trunkNeeds({}), { kind: 'login' });
});

test('the carrier is the one named, else the one whose credentials are given, else SignalWire', async () => {
  const { carrierOf } = await import('../../src/config.ts');
  assert.equal(carrierOf({}), 'signalwire');
  assert.equal(carrierOf({ SIGNALWIRE_PROJECT_ID: 'p' }), 'signalwire');
  assert.equal(carrierOf({ TWILIO_ACCOUNT_SID: 'AC1' }), 'twilio');
  assert.equal(carrierOf({ CARRIER: 'signalwire', TWILIO_ACCOUNT_SID: 'AC1' }), 'signalwire');
  assert.equal(carrierOf({ TELNYX_API_KEY: 'KEY1' }), 'telnyx');
  assert.equal(carrierOf({ TELNYX_API_KEY: 'KEY1', SIGNALWIRE_PROJECT_ID: 'p' }), 'telnyx');
  assert.equal(carrierOf({ CARRIER: 'signalwire', TELNYX_API_KEY: 'KEY1' }), 'signalwire');
});

test('Telnyx has no connection until its API key is given, and its trunk admits Telnyx by address, /32 each', () => {
  const tx = carrierNamed('telnyx');
  assert.equal(tx.conn({}), undefined);
  assert.deepEqual(tx.conn({ TELNYX_API_KEY: 'KEY1', TELNYX_API_URL: 'http://127.0.0.1:9/' }), { apiKey: 'KEY1', apiUrl: 'http://127.0.0.1:9' });
  const needs = tx.trunkNeeds({});
  assert.ok(needs.kind === 'addresses' && needs.addresses.length === 8 && needs.addresses.every((a) => /^\d+\.\d+\.\d+\.\d+\/32$/.test(a)));
  assert.ok(tx.testCall, 'Telnyx places a test call');
});
