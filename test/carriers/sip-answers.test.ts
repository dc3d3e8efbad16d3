// The SIP answers a carrier's call record may name, for a LiveKit trunk that admits the carrier by address: each
// common code is one cause and one fix of its own, on one line, and the ones about admission name what to change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainAddressTrunkAnswer } from '../../src/carriers/sip-answers.ts';
import { NUMBER } from '../fixtures.ts';

const c = { label: 'Twilio', e164: NUMBER, sipDomain: 'abc.sip.livekit.cloud' };
const CODES = [403, 404, 408, 480, 486, 487, 488, 500, 503, undefined] as const;

test('each common code (and no answer) has its own cause and fix, one line each, naming the code', () => {
  const seen = new Set<string>();
  for (const code of CODES) {
    const e = explainAddressTrunkAnswer(code, c);
    assert.equal(e.code, code);
    for (const s of [e.cause, e.fix]) assert.doesNotMatch(s, /[\r\n]/);
    assert.ok(!seen.has(e.cause), `cause of ${code} repeats another's`);
    seen.add(e.cause);
    if (code) assert.match(e.cause, new RegExp(`\\b${code}\\b`));
    else assert.match(e.cause, /^no SIP answer/);
  }
});

test("refusals of the carrier's address name the trunk's allowedAddresses and the number", () => {
  for (const code of [403, 408, undefined]) {
    const e = explainAddressTrunkAnswer(code, c);
    assert.match(e.fix, /allowedAddresses/);
    assert.match(e.fix, new RegExp(`\\${NUMBER}`));
  }
  assert.match(explainAddressTrunkAnswer(403, c).cause, /not authorized by the trunk/);
  // 408 is the carrier giving up, never said to be LiveKit's answer.
  assert.doesNotMatch(explainAddressTrunkAnswer(408, c).cause, /LiveKit SIP answered/);
});

test('a self-hosted SIP domain also names the number no trunk takes among the reasons for silence', () => {
  assert.match(explainAddressTrunkAnswer(undefined, { ...c, sipDomain: '127.0.0.1:5070' }).cause, /a number no trunk and no rule take/);
  assert.doesNotMatch(explainAddressTrunkAnswer(undefined, c).cause, /a number no trunk/);
});

test('who hung up is said where it tells something (a cancelled call)', () => {
  assert.match(explainAddressTrunkAnswer(487, { ...c, disconnectedBy: 'caller' }).cause, /disconnected by the caller/);
});
