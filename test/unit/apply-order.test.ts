// The apply runner: a login change ordered around the SWML, a stop flag checked between changes, and
// the words for whether calls work as a failure leaves things.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan, orderForLogin, type Change } from '../../src/changes.ts';
import { callsNote } from '../../src/steps/apply.ts';
import { installSignalHandlers, resetInterrupt, setPhase } from '../../src/signals.ts';
import type { Session } from '../../src/steps/session.ts';

const change = (summary: string, target: Change['target'], login?: Change['login'], apply = async () => {}): Change => ({
  summary,
  target,
  apply,
  ...(login ? { login } : {}),
});

test('a set login goes to the trunk last, right after SignalWire; a cleared one goes first', () => {
  const env = change('env', 'env');
  const trunk = change('trunk login', 'livekit', 'set');
  const rule = change('rule', 'livekit');
  const sw = change('script', 'signalwire');
  const db = change('db', 'database');
  assert.deepEqual(orderForLogin([env, trunk, rule, sw, db]).map((c) => c.summary), ['env', 'rule', 'db', 'script', 'trunk login']);
  const off = change('trunk off', 'livekit', 'clear');
  assert.deepEqual(orderForLogin([env, off, rule, sw, db]).map((c) => c.summary), ['trunk off', 'env', 'rule', 'script', 'db']);
  assert.deepEqual(orderForLogin([env, rule, sw, db]).map((c) => c.summary), ['env', 'rule', 'script', 'db'], 'no login change: order kept');
});

const session = (values: Record<string, string>) => ({ values: { PHONE_NUMBER: '+14244851544', ...values } }) as unknown as Session;
const automated = session({ SIGNALWIRE_PROJECT_ID: 'p', SIGNALWIRE_API_TOKEN: 't', SIGNALWIRE_SPACE_URL: 'https://x.signalwire.com' });

test('calls fail only between the SWML learning a login and the trunk taking it, and the note says so', () => {
  const trunk = change('trunk login', 'livekit', 'set');
  const sw = change('script', 'signalwire');
  assert.match(callsNote(automated, [sw], [trunk])!, /^Inbound calls to \+14244851544 fail until you run this again/);
  assert.equal(callsNote(automated, [], [sw, trunk]), undefined, 'nothing sent the new login yet');
  assert.equal(callsNote(automated, [sw, trunk], []), undefined, 'both sides agree');
  assert.equal(callsNote(automated, [sw], []), undefined, 'no login change');
  assert.match(callsNote(session({}), [trunk], [])!, /fail until the new SWML is pasted in SignalWire/);
  assert.match(callsNote(session({ API_BASE_URL: 'https://api.example.com' }), [trunk], [])!, /fail until create-sip-inbound serve is restarted/);
});

test('a signal while a change runs lets it finish and starts nothing after it', async () => {
  installSignalHandlers();
  setPhase('applying');
  const ran: string[] = [];
  const slow = change('first', 'livekit', undefined, async () => {
    process.kill(process.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    ran.push('first');
  });
  const next = change('second', 'database', undefined, async () => void ran.push('second'));
  let heard: string | undefined;
  const report = await applyPlan([slow, next], () => {}, (sig) => (heard = sig));
  assert.deepEqual(ran, ['first']);
  assert.equal(report.stopped, 'SIGTERM');
  assert.equal(heard, 'SIGTERM');
  assert.deepEqual(report.done.map((c) => c.summary), ['first']);
  assert.deepEqual(report.notDone.map((c) => c.summary), ['second']);
  resetInterrupt();
});
