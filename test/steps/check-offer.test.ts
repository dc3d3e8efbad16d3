// The end of the setup with SignalWire credentials: the check offers a test call SignalWire places (the cost
// asked before dialling), a call the person places, or neither.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { offerTestCall } from '../../src/steps/check.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { callWorld, FROM, NUMBER } from '../call/helpers.ts';
import { script, session } from './helpers.ts';

const FAST = { pollMs: 25, interactionWaitMs: 0, call: { seconds: 3, settleMs: 100, ringSec: 1 } };
let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const dials = (w: Awaited<ReturnType<typeof callWorld>>) =>
  w.sw.requests.filter((r) => r.method === 'POST' && r.path === '/api/calling/calls' && (r.body as { command?: string }).command === 'dial');

test('"Place a test call" states the cost, dials once after a yes, ends the call and passes', { timeout: 60_000 }, async (t) => {
  const w = await callWorld(t, pg);
  const s = session(w.values, { envFile: w.envFile });
  let choices: string[] = [];
  const run = script([
    ['Prove it with a call now?', (p) => ((choices = (p.options ?? []).map((o) => o.value)), 'call')],
    [new RegExp(`places one call of at most 3 s from \\${FROM} to \\${NUMBER}; SignalWire bills it.* Place it\\?`), true],
  ]);
  const ok = await offerTestCall(s, { print: false, envFile: w.envFile, db: true }, FAST);
  run.done();
  assert.deepEqual(choices, ['none', 'call', 'live']);
  assert.equal(ok, true);
  assert.equal(dials(w).length, 1);
  assert.equal(w.sw.endedByApi.length, 1, 'the check ends its call');
});

test('"Not now" places nothing, and a no at the cost question places nothing either', async (t) => {
  const w = await callWorld(t, pg);
  const s = session(w.values, { envFile: w.envFile });
  const none = script([['Prove it with a call now?', '']]);
  assert.equal(await offerTestCall(s, { print: false, envFile: w.envFile, db: true }), true);
  none.done();
  const declined = script([
    ['Prove it with a call now?', 'call'],
    [/SignalWire bills it/, false],
  ]);
  await offerTestCall(s, { print: false, envFile: w.envFile, db: true }, FAST);
  declined.done();
  assert.equal(dials(w).length, 0);
});
