// Twilio's test call against the stand-in (requests and answers checked against twilio-oai): the call goes to our
// number, whose trunk sends it to the origination URL; it is ended with Status=completed and read back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { carrierNamed } from '../../src/carriers/index.ts';
import { callerTwiml } from '../../src/carriers/twilio/calls.ts';
import { applyPlan } from '../../src/changes.ts';
import { startTwilio, type TwilioStandIn } from '../stand-ins/twilio.ts';
import type { SipDial } from '../stand-ins/sip-dialer.ts';
import { NUMBER, OTHER_NUMBER } from '../fixtures.ts';

const dialled: SipDial[] = [];
let hangups = 0;
let tw: TwilioStandIn;
before(async () => {
  tw = await startTwilio({
    dialer: async (d) => {
      dialled.push(d);
      let done!: () => void;
      const ended = new Promise<void>((r) => (done = r));
      return { code: 200, reason: 'OK', ended, hangup: async () => (hangups++, done()) };
    },
  });
  tw.addNumber(NUMBER);
  tw.addNumber(OTHER_NUMBER);
});
after(() => tw.stop());

const twilio = carrierNamed('twilio');
const values = { TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', LIVEKIT_SIP_DOMAIN: '127.0.0.1:5070' };

test('the caller side is one spoken line, a pause and a hang-up, escaped as XML', () => {
  assert.equal(callerTwiml('a <b> & c', 20), '<Response><Say>a &lt;b&gt; &amp; c</Say><Pause length="18"/><Hangup/></Response>');
});

test('a call to our number goes through the trunk to the SIP domain, and ending it hangs the leg up', async () => {
  const v = { ...values, ...tw.settings() };
  const conn = twilio.conn(v)!;
  const target = twilio.target(v);
  await applyPlan(twilio.plan(conn, NUMBER, target, await twilio.observe(conn, NUMBER, target)));
  const calls = twilio.testCall!;
  assert.deepEqual([...(await calls.callers(conn))].sort(), [NUMBER, OTHER_NUMBER].sort());
  const id = await calls.dial(conn, { from: OTHER_NUMBER, to: NUMBER, line: 'test call', seconds: 10, ringSec: 15 });
  assert.match(id, /^CA[0-9a-f]{32}$/);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await calls.status(conn, id), 'in-progress');
  assert.equal(dialled[0]!.uri, `sip:${NUMBER}@127.0.0.1:5070;transport=tcp`);
  await calls.end(conn, id);
  assert.equal(await calls.status(conn, id), 'completed');
  assert.equal(hangups, 1);
  await calls.end(conn, id); // twice is fine
  assert.deepEqual(tw.violations, []);
});

test('a call from a number outside the account is refused by Twilio before it rings', async () => {
  const v = { ...values, ...tw.settings() };
  await assert.rejects(twilio.testCall!.dial(twilio.conn(v)!, { from: '+15550009999', to: NUMBER, line: 'x', seconds: 5, ringSec: 5 }), /Twilio could not place a call from \+15550009999 \(400: 21210/);
});
