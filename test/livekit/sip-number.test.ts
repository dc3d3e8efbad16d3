// LiveKit's number rule, checked against the cases livekit/protocol tests it with (sip/sip_test.go
// TestNormalizeNumber, TestSIPMatchTrunkSameTrunkDuplicateNumberForms) and the forms FACTS.md names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeNumber, sameNumber } from '../../src/services/sip-number.ts';

test("normalizeNumber: protocol's own cases", () => {
  assert.equal(normalizeNumber(''), '', 'empty stays empty');
  assert.equal(normalizeNumber('123'), '+123', 'a missing + is added');
  assert.equal(normalizeNumber('+123'), '+123');
  assert.equal(normalizeNumber('user'), 'user', 'not a number: unchanged');
  assert.equal(normalizeNumber('(123) 456 7890'), '+1234567890', 'human formatting is stripped');
});

test('normalizeNumber: the forms a trunk may hold our number in', () => {
  const cases: Array<[string, string]> = [
    ['14244851544', '+14244851544'],
    ['+1 424 485 1544', '+14244851544'],
    ['1-424-485-1544', '+14244851544'],
    // No country code is added: "(424) 485-1544" is a different number to LiveKit.
    ['(424) 485-1544', '+4244851544'],
    // Dots, letters or a second "+" make it not a number: compared as written.
    ['424.485.1544', '424.485.1544'],
    ['++14244851544', '++14244851544'],
    ['sip-agent', 'sip-agent'],
  ];
  for (const [written, matched] of cases) assert.equal(normalizeNumber(written), matched, written);
});

test('sameNumber: equal as written or once normalised', () => {
  // Protocol's regression case: "+19793169351" and "19793169351" are one number.
  assert.equal(sameNumber('+19793169351', '19793169351'), true);
  assert.equal(sameNumber('19793169351', '+19793169351'), true);
  assert.equal(sameNumber('+1 424 485 1544', '+14244851544'), true);
  assert.equal(sameNumber('1111 1111', '+11111111'), true);
  assert.equal(sameNumber('user', 'user'), true);
  assert.equal(sameNumber('(424) 485-1544', '+14244851544'), false);
  assert.equal(sameNumber('+14244851545', '+14244851544'), false);
  assert.equal(sameNumber('', '+14244851544'), false);
});
