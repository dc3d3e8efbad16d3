// The whole check against the stand-ins: all green on a good setup; each broken hop turns exactly its own
// line red with its fix; the agent probe with and without a worker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../src/check/run.ts';
import { hopLines } from '../../src/check/report.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { AGENT, failing, NUMBER, OTHER_NUMBER, setup, type Setup, type SetupOptions } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const check = (s: Setup, over: Partial<Parameters<typeof runChecks>[1]> = {}) =>
  runChecks(s.values, { print: false, probe: true, live: false, envFile: s.envFile, probeTimeoutMs: 1000, pollMs: 25, ...over });

test('a good setup: every hop passes, the optional ones are skipped, the probe reports how long the agent took', async (t) => {
  const s = await setup(t, pg, { workerDelayMs: 150 });
  const report = await check(s);
  assert.deepEqual(failing(report.hops), [], JSON.stringify(report.hops, null, 1));
  assert.deepEqual(
    report.hops.map((h) => [h.id, h.skipped ? 'skipped' : 'ok']),
    [['env', 'ok'], ['livekit', 'ok'], ['trunk', 'ok'], ['rule', 'ok'], ['doctor', 'ok'], ['dns', 'ok'], ['sip-options', 'ok'], ['database', 'ok'], ['signalwire', 'skipped'], ['swml-url', 'skipped']],
  );
  assert.equal(report.ok, true);
  assert.equal(report.probe?.ok, true);
  assert.equal(report.probe?.agentName, AGENT);
  assert.ok(report.probe!.joinedMs! >= 140 && report.probe!.joinedMs! < 1000, `joined after ${report.probe!.joinedMs} ms`);
  assert.match(report.probe!.detail, /agent "inbound-agent" joined a test room in 0\.\d s/);
  assert.equal(s.lk.rooms.size, 0, 'the probe room is deleted');
  const dispatches = s.lk.requests.filter((r) => r.rpc === 'CreateDispatch');
  assert.equal(dispatches.length, 1);
});

const broken: Array<{ name: string; hop: string; options: SetupOptions; detail: RegExp; fix: RegExp }> = [
  {
    name: 'the number is not on the trunk',
    hop: 'trunk',
    options: { trunkNumbers: [OTHER_NUMBER] },
    detail: /no inbound trunk holds \+14244851544/,
    fix: /--number \+14244851544/,
  },
  {
    name: 'the rule names no agent but the worker registers one',
    hop: 'rule',
    options: { ruleAgent: null },
    detail: /names no agent, but AGENT_NAME is "inbound-agent"/,
    fix: /explicit dispatch/,
  },
  { name: 'the number has no database row', hop: 'database', options: { row: false }, detail: /no row for \+14244851544/, fix: /sql --number/ },
  { name: 'the SIP domain does not resolve', hop: 'dns', options: { sipDomain: 'x.invalid' }, detail: /x\.invalid does not resolve/, fix: /LIVEKIT_SIP_DOMAIN/ },
];

for (const b of broken) {
  test(`broken: ${b.name} → only the ${b.hop} hop is red, with its fix`, async (t) => {
    const s = await setup(t, pg, b.options);
    const report = await check(s);
    assert.equal(report.ok, false);
    assert.deepEqual(failing(report.hops), [b.hop]);
    const hop = report.hops.find((h) => h.id === b.hop)!;
    assert.match(hop.detail!, b.detail);
    assert.match(hop.fix!, b.fix);
    // On screen: exactly one ✗ line, and the fix right under it.
    const lines = report.hops.map(hopLines).join('\n').split('\n');
    const red = lines.filter((l) => l.startsWith('✗'));
    assert.equal(red.length, 1, lines.join('\n'));
    assert.match(lines[lines.indexOf(red[0]!) + 1]!, /^ {4}fix: /);
    // The probe dispatches the expected agent: a working worker is not blamed for a broken hop.
    assert.equal(report.probe?.ok, true, report.probe?.detail);
  });
}

test('broken: a hop after a failed prerequisite is skipped, not failed again', async (t) => {
  const s = await setup(t, pg);
  s.lk.fault({ match: 'ListSIPInboundTrunk', status: 401 });
  const report = await check(s, { probe: false });
  assert.deepEqual(failing(report.hops), ['livekit']);
  assert.deepEqual(
    report.hops.filter((h) => h.skipped).map((h) => h.id),
    ['trunk', 'rule', 'signalwire', 'swml-url'],
  );
  const lk = report.hops.find((h) => h.id === 'livekit')!;
  assert.match(lk.detail!, /rejected the API key/);
  assert.ok(!JSON.stringify(report).includes(s.lk.apiSecret));
});

test('probe: no worker → "no agent joined" with the likely causes, naming the agent on both sides; the room is deleted', async (t) => {
  const s = await setup(t, pg, { worker: null });
  const started = Date.now();
  const report = await check(s);
  assert.ok(Date.now() - started < 4000);
  assert.deepEqual(failing(report.hops), []);
  assert.equal(report.ok, false);
  assert.equal(report.probe?.ok, false);
  assert.equal(report.probe?.detail, 'no agent joined in 1.0 s');
  assert.match(report.probe!.fix!, /not running/);
  assert.match(report.probe!.fix!, /"inbound-agent" \(AGENT_NAME; the rule dispatches "inbound-agent"\)/);
  assert.equal(s.lk.rooms.size, 0, 'the probe room is deleted even when no agent came');
});

test('probe: a worker under another name is not dispatched; --no-probe skips it', async (t) => {
  const s = await setup(t, pg, { worker: 'other-agent' });
  const report = await check(s);
  assert.equal(report.probe?.ok, false);
  const skipped = await check(s, { probe: false });
  assert.equal(skipped.probe, undefined);
  assert.equal(skipped.ok, true);
});

test('rule hop with no AGENT_NAME: a rule naming an agent is red, and the probe (automatic dispatch) names the causes', async (t) => {
  const s = await setup(t, pg, { values: { AGENT_NAME: undefined } });
  const report = await check(s);
  assert.deepEqual(failing(report.hops), ['rule']);
  assert.match(report.hops.find((h) => h.id === 'rule')!.fix!, /AGENT_NAME=inbound-agent/);
  assert.equal(report.probe?.ok, false);
  assert.match(report.probe!.fix!, /only dispatched explicitly/);
  assert.ok(report.probe!.room!.startsWith('sip-_probe_'));
  assert.equal(s.lk.rooms.size, 0);
});

test('automatic dispatch: a rule naming no agent and a worker registering no name pass every hop and the probe', async (t) => {
  const s = await setup(t, pg, { ruleAgent: null, worker: null, values: { AGENT_NAME: undefined } });
  s.lk.registerWorker(undefined, { joinDelayMs: 50 });
  const report = await check(s);
  assert.deepEqual(failing(report.hops), []);
  assert.equal(report.probe?.ok, true, report.probe?.detail);
  assert.ok(report.probe!.room!.startsWith('sip-'));
  assert.equal(s.lk.rooms.size, 0, 'the probe room is deleted');
});

test('the report never carries a secret', async (t) => {
  const s = await setup(t, pg, { row: false, sipDomain: 'x.invalid' });
  const text = JSON.stringify(await check(s));
  for (const secret of s.secrets) assert.ok(!text.includes(secret));
  assert.ok(text.includes(NUMBER));
});
