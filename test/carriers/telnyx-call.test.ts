// Telnyx's test call against the stand-in (requests and answers checked against Telnyx's published document): a Call
// Control application is found or made, the call goes to our number, whose FQDN connection sends an INVITE to the SIP
// domain with To and From in +E.164; it is hung up and read back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { carrierNamed } from '../../src/carriers/index.ts';
import { callIdParts, TEST_APP_NAME } from '../../src/carriers/telnyx/calls.ts';
import { applyPlan } from '../../src/changes.ts';
import { startTelnyx, type TelnyxStandIn } from '../stand-ins/telnyx.ts';
import type { SipDial } from '../stand-ins/sip-dialer.ts';
import { NUMBER, OTHER_NUMBER } from '../fixtures.ts';

const dialled: SipDial[] = [];
let hangups = 0;
let tx: TelnyxStandIn;
before(async () => {
  tx = await startTelnyx({
    sourceAddress: '64.16.250.10',
    dialer: async (d) => {
      dialled.push(d);
      let done!: () => void;
      const ended = new Promise<void>((r) => (done = r));
      return { code: 200, reason: 'OK', ended, hangup: async () => (hangups++, done()) };
    },
  });
  tx.addNumber(NUMBER);
  tx.addNumber(OTHER_NUMBER);
});
after(() => tx.stop());

const telnyx = carrierNamed('telnyx');
const values = () => ({ ...tx.settings(), LIVEKIT_SIP_DOMAIN: '127.0.0.1:5070' });

test('a call to our number goes through its FQDN connection to the SIP domain in +E.164, and ending it hangs the leg up', async () => {
  const conn = telnyx.conn(values())!;
  const target = telnyx.target(values());
  await applyPlan(telnyx.plan(conn, NUMBER, target, await telnyx.observe(conn, NUMBER, target)));
  const calls = telnyx.testCall!;
  assert.deepEqual([...(await calls.callers(conn))].sort(), [NUMBER, OTHER_NUMBER].sort());
  const id = await calls.dial(conn, { from: OTHER_NUMBER, to: NUMBER, line: 'test call', seconds: 10, ringSec: 15 });
  // The id names the call_control_id commands take and the leg its call events are filed under.
  assert.match(id, /^v3:\S+ leg [0-9a-f-]{36}$/);
  const placed = tx.calls.get(callIdParts(id).control)!;
  assert.equal(callIdParts(id).leg, placed.call_leg_id);
  const app = [...tx.apps.values()];
  assert.deepEqual(app.map((a) => a.application_name), [TEST_APP_NAME]);
  assert.equal(placed.connection_id, app[0]!.id, 'dialled through the Call Control application, not the FQDN connection');
  assert.equal(placed.time_limit_secs, 30, "raised to CallRequest's minimum time limit");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await calls.status(conn, id), 'in-progress');
  assert.deepEqual(dialled, [{ uri: `sip:${NUMBER}@127.0.0.1:5070;transport=tcp`, from: OTHER_NUMBER, holdMs: 30_000, source: '64.16.250.10' }]);
  await calls.end(conn, id);
  assert.equal(await calls.status(conn, id), 'completed');
  assert.equal(hangups, 1);
  await calls.end(conn, id); // twice is fine: Telnyx answers 422 for a call already over
  assert.deepEqual(
    tx.events.filter((e) => e.call_leg_id === placed.call_leg_id).map((e) => `${e.type} ${e.name}`),
    ['command dial', 'webhook call.initiated', 'webhook call.answered', 'command hangup', 'webhook call.hangup'],
  );

  // A second call finds the application again instead of making another.
  const again = await calls.dial(conn, { from: OTHER_NUMBER, to: NUMBER, line: 'x', seconds: 60, ringSec: 15 });
  assert.equal(tx.apps.size, 1);
  await calls.end(conn, again);
  assert.deepEqual(tx.violations, []);
});

test('a call from a number outside the account is refused by Telnyx before it rings, in one line', async () => {
  await assert.rejects(
    telnyx.testCall!.dial(telnyx.conn(values())!, { from: '+15550009999', to: NUMBER, line: 'x', seconds: 5, ringSec: 5 }),
    (e: Error) => /^Telnyx could not place a call from \+15550009999 \(422: 10015 Invalid value from must be a number of this account\)$/.test(e.message),
  );
});

test("a number whose connection has no FQDN never reaches SIP: the call is over and the check's status says so", async () => {
  const n = [...tx.numbers.values()].find((x) => x.phone_number === OTHER_NUMBER)!;
  const calls = telnyx.testCall!;
  const conn = telnyx.conn(values())!;
  const count = dialled.length;
  const id = await calls.dial(conn, { from: NUMBER, to: n.phone_number, line: 'x', seconds: 5, ringSec: 5 });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await calls.status(conn, id), 'completed');
  assert.equal(dialled.length, count);
});
