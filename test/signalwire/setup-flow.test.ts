// First run, rerun and changed settings against the stand-in: what is planned, what goes on the wire.
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { applyPlan, type ApplyReport, type Change } from '../../src/changes.ts';
import { observeSiblingScripts, observeSignalWire, planSiblingScripts, planSignalWire, sameSwml, scriptNameFor, type SwmlTarget } from '../../src/carriers/signalwire/index.ts';
import { startSignalWire, type LoggedRequest, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { NUMBER, connTo, swmlFor } from './helpers.ts';
import { OTHER_NUMBER } from '../fixtures.ts';

const NAME = scriptNameFor(NUMBER);
const OLD_WEBHOOK = 'https://old.example.com/voice';
/** What a write put on the wire. */
const wire = ({ method, path, body }: LoggedRequest) => ({ method, path, body });

async function plan(sw: SignalWireStandIn, target: SwmlTarget, o: { readMsAgo?: number } = {}) {
  const conn = connTo(sw);
  const state = await observeSignalWire(conn, NUMBER, target);
  // A listing read long ago (the person read the plan): the create looks again.
  if (o.readMsAgo) state.readAt = Date.now() - o.readMsAgo;
  return planSignalWire(conn, NUMBER, target, state);
}

async function run(sw: SignalWireStandIn, target: SwmlTarget) {
  const changes = await plan(sw, target);
  const report = await applyPlan(changes);
  assert.equal(report.failed, undefined, String(report.failed?.error));
  return changes;
}

describe('hosted SWML script', () => {
  let sw: SignalWireStandIn;
  const hosted: SwmlTarget = { kind: 'hosted', swml: swmlFor('abc123xyz.sip.livekit.cloud') };
  beforeEach(async () => {
    await sw?.stop();
    sw = await startSignalWire();
    sw.addNumber(NUMBER, { call_handler: 'laml_webhooks', call_request_url: OLD_WEBHOOK, call_request_method: 'POST' });
    sw.addNumber(OTHER_NUMBER); // another number in the space, untouched
  });
  after(() => sw.stop());

  it('first run creates the script, then points the number at it, showing the old handler', async () => {
    const changes = await plan(sw, hosted);
    assert.deepEqual(
      changes.map((c) => c.summary),
      [
        `SignalWire: create SWML script "${NAME}"`,
        `SignalWire ${NUMBER}: point at SWML script "${NAME}" (now: LaML webhook ${OLD_WEBHOOK})`,
      ],
    );
    assert.ok(changes.every((c) => c.target === 'signalwire'));
    assert.equal(sw.writes().length, 0, 'planning writes nothing');

    await applyPlan(changes);
    const writes = sw.writes().map(wire);
    assert.equal(writes.length, 2);
    assert.deepEqual(writes[0], { method: 'POST', path: '/api/fabric/resources/swml_scripts', body: { name: NAME, contents: hosted.swml } });
    const [script] = [...sw.scripts.values()];
    assert.ok(script);
    assert.match(script.request_url, /^https:\/\/example\.signalwire\.com\/relay-bins\/[0-9a-f-]{36}$/);
    const number = [...sw.numbers.values()].find((n) => n.number === NUMBER)!;
    assert.deepEqual(writes[1], {
      method: 'PUT',
      path: `/api/relay/rest/phone_numbers/${number.id}`,
      body: { call_handler: 'relay_script', call_relay_script_url: script.request_url },
    });
    assert.equal(number.call_handler, 'relay_script');
    assert.equal(number.call_relay_script_url, script.request_url);
  });

  it('the number filter is percent-encoded (a bare + would read as a space)', async () => {
    await plan(sw, hosted);
    assert.deepEqual([sw.requests[0]!.path, sw.requests[0]!.query], ['/api/relay/rest/phone_numbers', [['filter_number', NUMBER]]]);
  });

  it('a rerun finds everything in place: zero changes, zero writes', async () => {
    await run(sw, hosted);
    const before = sw.requests.length;
    const changes = await plan(sw, hosted);
    assert.deepEqual(changes, []);
    const rerun = sw.requests.slice(before);
    assert.ok(rerun.length > 0 && rerun.every((r) => r.method === 'GET'), 'only reads');
    assert.equal(sw.scripts.size, 1);
  });

  it('changed SWML updates the script in place and leaves the number alone', async () => {
    await run(sw, hosted);
    const before = sw.writes().length;
    const changed: SwmlTarget = { kind: 'hosted', swml: swmlFor('other987.sip.livekit.cloud') };
    const changes = await run(sw, changed);
    assert.deepEqual(changes.map((c) => c.summary), [`SignalWire: update SWML script "${NAME}" to the current SWML`]);
    const [script] = [...sw.scripts.values()];
    assert.deepEqual(sw.writes().slice(before).map(wire), [
      { method: 'PUT', path: `/api/fabric/resources/swml_scripts/${script!.id}`, body: { contents: changed.swml } },
    ]);
    assert.deepEqual(await plan(sw, changed), []);
  });

  it('a number moved away by hand is pointed back at the existing script', async () => {
    await run(sw, hosted);
    const number = [...sw.numbers.values()].find((n) => n.number === NUMBER)!;
    Object.assign(number, { call_handler: 'ai_agent', call_relay_script_url: null, calling_handler_resource_id: 'agent-42' });
    const changes = await plan(sw, hosted);
    assert.deepEqual(changes.map((c) => c.summary), [`SignalWire ${NUMBER}: point at SWML script "${NAME}" (now: AI agent agent-42)`]);
    await applyPlan(changes);
    assert.equal(sw.scripts.size, 1, 'no second script');
    assert.equal(number.call_handler, 'relay_script');
  });

  it('finds our script on a later page of the list', async () => {
    await sw.stop();
    sw = await startSignalWire({ pageSize: 2 });
    sw.addNumber(NUMBER);
    for (let i = 0; i < 5; i++) sw.addScript(`someone else's script ${i}`, swmlFor('x.sip.livekit.cloud'));
    const ours = sw.addScript(NAME, hosted.swml);
    const changes = await plan(sw, hosted);
    assert.deepEqual(changes.map((c) => c.summary), [`SignalWire ${NUMBER}: point at SWML script "${NAME}" (now: no call handler)`]);
    await applyPlan(changes);
    assert.equal([...sw.numbers.values()][0]!.call_relay_script_url, ours.request_url);
    assert.equal(sw.requests.filter((r) => r.path.startsWith('/api/fabric/resources/swml_scripts')).length, 3, 'three pages read');
  });

  it('reads a script on its own when the list leaves the contents out, and still writes nothing on a rerun', async () => {
    await sw.stop();
    sw = await startSignalWire({ listOmitsContents: true });
    sw.addNumber(NUMBER);
    await run(sw, hosted);
    const before = sw.requests.length;
    assert.deepEqual(await plan(sw, hosted), []);
    const [script] = [...sw.scripts.values()];
    assert.ok(sw.requests.slice(before).some((r) => r.method === 'GET' && r.path === `/api/fabric/resources/swml_scripts/${script!.id}`));
    assert.equal(sw.writes().length, 2);
  });

  it('a script of our name made since a plan read SignalWire long ago is reused, not doubled', async () => {
    const late = await plan(sw, hosted, { readMsAgo: 60_000 }); // read before the other run made its script
    await run(sw, hosted);
    const [script] = [...sw.scripts.values()];
    const before = sw.writes().length;
    const report = await applyPlan(late);
    assert.equal(report.failed, undefined, String(report.failed?.error));
    assert.equal(sw.scripts.size, 1);
    // Same SWML: no create and no update; the planned point step sets the same script again.
    assert.deepEqual(sw.writes().slice(before).map((w) => `${w.method} ${w.path.split('/').slice(0, 5).join('/')}`), ['PUT /api/relay/rest/phone_numbers']);
    assert.equal([...sw.numbers.values()].find((n) => n.number === NUMBER)!.call_relay_script_url, script!.request_url);
  });

  it('a reused script holding other SWML is brought up to date', async () => {
    const late = await plan(sw, hosted, { readMsAgo: 60_000 });
    const other = sw.addScript(NAME, swmlFor('other987.sip.livekit.cloud'));
    await applyPlan(late);
    assert.equal(sw.scripts.size, 1);
    assert.ok(sw.writes().some((w) => w.method === 'PUT' && w.path === `/api/fabric/resources/swml_scripts/${other.id}`));
    assert.ok(sameSwml(other.contents, hosted.swml));
    assert.ok(!sw.writes().some((w) => w.method === 'POST'), 'no create');
  });

  it('a failure part-way stops, and a rerun finishes the job without a second script', async () => {
    sw.fault({ match: 'PUT /api/relay/rest/phone_numbers', status: 500, times: 1 });
    const report = await applyPlan(await plan(sw, hosted));
    assert.equal(report.done.length, 1);
    assert.match(String((report.failed?.error as Error).message), /^SignalWire failed to update \+14244851544 in 127\.0\.0\.1:\d+ \(500: Internal Server Error\)/);
    const changes = await run(sw, hosted);
    assert.deepEqual(changes.map((c) => c.summary), [`SignalWire ${NUMBER}: point at SWML script "${NAME}" (now: LaML webhook ${OLD_WEBHOOK})`]);
    assert.equal(sw.scripts.size, 1);
  });
});

describe('SWML served from our own URL', () => {
  let sw: SignalWireStandIn;
  const url = 'https://api.example.com/api/swml-inbound';
  beforeEach(async () => {
    await sw?.stop();
    sw = await startSignalWire({ tokenScopes: ['numbers'] }); // no Voice scope needed for this
    sw.addNumber(NUMBER);
  });
  after(() => sw.stop());

  it('sets the handler to the URL, then a rerun writes nothing', async () => {
    const changes = await run(sw, { kind: 'url', url });
    assert.deepEqual(changes.map((c) => c.summary), [`SignalWire ${NUMBER}: point at SWML URL ${url} (now: no call handler)`]);
    const number = [...sw.numbers.values()][0]!;
    assert.deepEqual(sw.writes().map(wire), [
      { method: 'PUT', path: `/api/relay/rest/phone_numbers/${number.id}`, body: { call_handler: 'relay_script', call_relay_script_url: url } },
    ]);
    assert.ok(!sw.requests.some((r) => r.path.includes('swml_scripts')), 'scripts are not read');
    assert.deepEqual(await plan(sw, { kind: 'url', url }), []);
    assert.equal(sw.writes().length, 1);
  });

  it('masks a password in the URL in the plan but sends the URL as given', async () => {
    const withAuth = 'https://swml:hunter2-secret@api.example.com/api/swml-inbound';
    const changes = await run(sw, { kind: 'url', url: withAuth });
    assert.ok(!changes[0]!.summary.includes('hunter2-secret'));
    assert.match(changes[0]!.summary, /point at SWML URL https:\/\/swml:••••@api\.example\.com\/api\/swml-inbound/);
    assert.equal([...sw.numbers.values()][0]!.call_relay_script_url, withAuth);
  });
});

describe('the other numbers\' scripts (the trunk\'s login is shared)', () => {
  const OTHER = '+14155550123';
  const current: SwmlTarget = { kind: 'hosted', swml: swmlFor('abc123xyz.sip.livekit.cloud') };
  const stale = swmlFor('abc123xyz.sip.livekit.cloud').replace('digest-pass-123', 'old-pass-000');

  it('a script holding another login is updated; one in place, or of a number not on the trunk, is left alone', async () => {
    const sw = await startSignalWire({ listOmitsContents: true });
    after(() => sw.stop());
    const theirs = sw.addScript(scriptNameFor(OTHER), stale);
    sw.addScript(scriptNameFor('+13105550100'), stale); // not on the trunk: not ours to touch
    sw.addScript(scriptNameFor('+13105550101'), current.kind === 'hosted' ? current.swml : '');
    const conn = connTo(sw);
    const siblings = await observeSiblingScripts(conn, [OTHER, '+13105550101']);
    assert.deepEqual(siblings.map((x) => x.e164).sort(), ['+13105550101', OTHER]);
    const changes = planSiblingScripts(conn, current, siblings);
    assert.deepEqual(changes.map((c) => c.summary), [
      `SignalWire: update SWML script "${scriptNameFor(OTHER)}" to the current SWML (every number on the trunk sends its SIP login)`,
    ]);
    await applyPlan(changes);
    assert.ok(sameSwml(theirs.contents, current.kind === 'hosted' ? current.swml : ''));
    assert.deepEqual(planSiblingScripts(conn, current, await observeSiblingScripts(conn, [OTHER])), []);
    assert.deepEqual(planSiblingScripts(conn, { kind: 'url', url: 'https://x.example.com/api/swml-inbound' }, siblings), []);
  });
});
