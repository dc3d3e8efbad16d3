// The SignalWire step against the SignalWire stand-in: a number outside the space offers three ways on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignalWire, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { askSignalWire } from '../../src/steps/signalwire.ts';
import { script, session } from './helpers.ts';

const IN_SPACE = '+14244851544';
const TYPO = '+14244851545';
let sw: SignalWireStandIn;
let other: SignalWireStandIn;
before(async () => {
  sw = await startSignalWire({});
  other = await startSignalWire({});
  other.addNumber(IN_SPACE);
});
after(async () => Promise.all([sw.stop(), other.stop()]));

const creds = (w: SignalWireStandIn) => ({ SIGNALWIRE_SPACE_URL: w.url, SIGNALWIRE_PROJECT_ID: w.projectId, SIGNALWIRE_API_TOKEN: w.apiToken });
const THREE = ['number', 'credentials', 'skip'];

test('a number not in the space: change the number, and the check goes on with it', async () => {
  const s = session({ PHONE_NUMBER: TYPO, ...creds(other) });
  const run = script([
    [`${TYPO} is not in`, (p) => (assert.deepEqual(p.options!.map((o) => o.value), THREE), 'number')],
    ['Phone number callers dial', (p) => (assert.equal(p.initialValue, TYPO), '(424) 485-1544')],
  ]);
  await askSignalWire(s);
  run.done();
  assert.equal(s.values.PHONE_NUMBER, IN_SPACE);
  assert.ok(run.logs.some((l) => l.startsWith('error:') && l.includes(`${TYPO} is not a number in`)));
});

test('a number not in the space: enter other SignalWire credentials, each prefilled', async () => {
  const s = session({ PHONE_NUMBER: IN_SPACE, ...creds(sw) });
  const run = script([
    ['is not in', 'credentials'],
    ['SignalWire space URL', (p) => (assert.equal(p.initialValue, sw.url), other.url)],
    ['SignalWire project ID', other.projectId],
    [/SignalWire API token.*\(Enter keeps the current one\)/, other.apiToken], // accepted, so it may be kept
  ]);
  await askSignalWire(s);
  run.done();
  assert.equal(s.values.SIGNALWIRE_SPACE_URL, other.url);
});

test('a number not in the space: skip automation leaves SignalWire out of this run', async () => {
  const s = session({ PHONE_NUMBER: IN_SPACE, ...creds(sw) });
  const run = script([['is not in', 'skip']]);
  await askSignalWire(s);
  run.done();
  assert.equal(s.values.SIGNALWIRE_API_TOKEN, undefined);
  assert.equal(s.values.SIGNALWIRE_PROJECT_ID, undefined);
  assert.equal(sw.writes().length, 0);
});

test('an unreachable space is named and only the space URL asked again, prefilled; without prompts it ends the run', async () => {
  const bad = 'https://no-such-space.invalid';
  const s = session({ PHONE_NUMBER: IN_SPACE, ...creds(other), SIGNALWIRE_SPACE_URL: bad });
  const run = script([
    ['SignalWire space URL', (p) => (assert.equal(p.initialValue, bad), other.url)],
  ]);
  await askSignalWire(s);
  run.done();
  assert.ok(run.logs.some((l) => /Cannot reach SignalWire at no-such-space\.invalid.*: check SIGNALWIRE_SPACE_URL /.test(l)), run.logs.join('\n'));
  const n = session({ PHONE_NUMBER: TYPO, ...creds(other) }, { interactive: false });
  await assert.rejects(askSignalWire(n), /is not a number in/);
});
