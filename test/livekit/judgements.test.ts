// trunkFor and ruleFor on their own: LiveKit's choice of trunk and dispatch rule for one called number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIPDispatchRule, SIPDispatchRuleDirect, SIPDispatchRuleIndividual, SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import { ruleFor, trunkFor } from '../../src/services/livekit.ts';
import { CALLER, NUMBER, THEIR_NUMBER } from '../fixtures.ts';

const trunk = (id: string, name: string, numbers: string[]) => new SIPInboundTrunkInfo({ sipTrunkId: id, name, numbers });
const individual = (roomPrefix: string, pin = '') =>
  new SIPDispatchRule({ rule: { case: 'dispatchRuleIndividual', value: new SIPDispatchRuleIndividual({ roomPrefix, pin }) } });
const direct = (roomName: string) => new SIPDispatchRule({ rule: { case: 'dispatchRuleDirect', value: new SIPDispatchRuleDirect({ roomName }) } });
const rule = (id: string, over: Partial<SIPDispatchRuleInfo>) => new SIPDispatchRuleInfo({ sipDispatchRuleId: id, rule: individual('sip-'), ...over });

test('trunkFor: ours by name, the serving trunk in any matching form, a foreign one, every holder, a catch-all', () => {
  const ours = trunk('ST_ours', 'create-sip-inbound', [THEIR_NUMBER]);
  const theirs = trunk('ST_theirs', 'by hand', ['1 424 485 1544']);
  const any = trunk('ST_any', 'any', []);
  const j = trunkFor([ours, theirs, any], NUMBER, 'create-sip-inbound');
  assert.equal(j.ours, ours);
  assert.equal(j.serving, theirs);
  assert.equal(j.foreign, theirs);
  assert.equal(j.heldAs, '1 424 485 1544');
  assert.deepEqual(j.holding, [theirs]);
  assert.equal(j.catchAll, any);

  const ourHolding = trunk('ST_ours2', 'create-sip-inbound', ['14244851544']);
  const k = trunkFor([ours, ourHolding], NUMBER, 'create-sip-inbound');
  assert.equal(k.ours, ourHolding, 'of two named ours, the one holding the number');
  assert.equal(k.foreign, undefined);

  const none = trunkFor([trunk('ST_x', 'x', ['(424) 485-1544'])], NUMBER, 'create-sip-inbound');
  assert.equal(none.serving, undefined, '"(424) 485-1544" is +4244851544 to LiveKit');
});

test('ruleFor: a rule naming the trunk wins over one naming none; a numbers filter must hold the number as written', () => {
  const t = { sipTrunkId: 'ST_1' };
  const wildcard = rule('SDR_any', { trunkIds: [] });
  const specific = rule('SDR_ours', { name: 'create-sip-inbound', trunkIds: ['ST_1'] });
  assert.equal(ruleFor([wildcard, specific], t, NUMBER, 'create-sip-inbound').covering, specific);
  assert.equal(ruleFor([wildcard], t, NUMBER, 'create-sip-inbound').covering, wildcard);
  assert.equal(ruleFor([wildcard], t, NUMBER, 'create-sip-inbound').target, undefined, 'the plan creates its own');

  const narrowed = rule('SDR_ours', { name: 'create-sip-inbound', trunkIds: ['ST_1'], numbers: [THEIR_NUMBER] });
  const j = ruleFor([narrowed], t, NUMBER, 'create-sip-inbound');
  assert.equal(j.covering, undefined);
  assert.equal(j.target, narrowed);
  assert.deepEqual(j.excluding, [narrowed]);
  // Rules' own filters compare as written (slices.Contains), unlike trunks.
  assert.equal(ruleFor([rule('SDR_n', { trunkIds: ['ST_1'], numbers: ['14244851544'] })], t, NUMBER, 'x').covering, undefined);
  assert.ok(ruleFor([rule('SDR_n', { trunkIds: ['ST_1'], numbers: [NUMBER] })], t, NUMBER, 'x').covering, 'held exactly: covered');
});

test('ruleFor: a filter on callers does not cover every caller; priority follows LiveKit (a number filter, then direct before individual)', () => {
  const t = { sipTrunkId: 'ST_1' };
  const callers = rule('SDR_vip', { trunkIds: ['ST_1'], inboundNumbers: [CALLER] });
  assert.equal(ruleFor([callers], t, NUMBER, 'x').covering, undefined);

  const open = rule('SDR_open', { trunkIds: ['ST_1'] });
  const forNumber = rule('SDR_num', { trunkIds: ['ST_1'], numbers: [NUMBER] });
  assert.equal(ruleFor([open, forNumber], t, NUMBER, 'x').covering, forNumber, 'a rule for the number beats an open one');
  const room = rule('SDR_direct', { trunkIds: ['ST_1'], numbers: [NUMBER], rule: direct('lobby') });
  assert.equal(ruleFor([forNumber, room], t, NUMBER, 'x').covering, room, 'direct before individual');
  const pin = rule('SDR_pin', { trunkIds: ['ST_1'], rule: individual('sip-', '1234') });
  assert.equal(ruleFor([open, pin], t, NUMBER, 'x').covering, pin, 'a PIN rule first (the caller is asked for the PIN)');
});
