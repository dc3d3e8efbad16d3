// Words for where a number points, URLs fit to print, SWML comparison, and the check's question.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyPlan } from '../../src/changes.ts';
import {
  describeHandler,
  numberPointsAt,
  observeSignalWire,
  planSignalWire,
  safeUrl,
  sameSwml,
  scriptNameFor,
  signalWireConn,
  type NumberInfo,
  type SwmlTarget,
} from '../../src/carriers/signalwire/index.ts';
import { startSignalWire, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { NUMBER, connTo, swmlFor } from './helpers.ts';

const base: NumberInfo = { id: 'n1', number: NUMBER, name: null, callHandler: null, scriptUrl: null, requestUrl: null, handlerRef: null };

describe('describeHandler', () => {
  it('names each kind of handler and what it points at', () => {
    assert.equal(describeHandler(base), 'no call handler');
    assert.equal(describeHandler({ ...base, callHandler: 'laml_webhooks', requestUrl: 'https://old.example.com/voice' }), 'LaML webhook https://old.example.com/voice');
    assert.equal(
      describeHandler({ ...base, callHandler: 'relay_script', scriptUrl: 'https://example.signalwire.com/relay-bins/abc' }),
      'SWML script https://example.signalwire.com/relay-bins/abc',
    );
    assert.equal(describeHandler({ ...base, callHandler: 'relay_application', handlerRef: 'office' }), 'RELAY application office');
    assert.equal(describeHandler({ ...base, callHandler: 'ai_agent', handlerRef: 'agent-42' }), 'AI agent agent-42');
    assert.equal(describeHandler({ ...base, callHandler: 'something_new' }), 'something_new');
  });

  it('never prints a password or a token held in the URL', () => {
    const text = describeHandler({ ...base, callHandler: 'laml_webhooks', requestUrl: 'https://u:s3cret-pw@hooks.example.com/in?id=7&token=abc123xyz' });
    assert.equal(text, 'LaML webhook https://u:••••@hooks.example.com/in?id=7&token=••••');
  });
});

describe('safeUrl and sameSwml', () => {
  it('leaves ordinary URLs as they are', () => {
    assert.equal(safeUrl('https://api.example.com/api/swml-inbound'), 'https://api.example.com/api/swml-inbound');
  });

  it('compares SWML as documents: key order and spacing do not matter, content does', () => {
    const text = swmlFor('abc123xyz.sip.livekit.cloud');
    const doc = JSON.parse(text) as { version: string; sections: unknown };
    assert.ok(sameSwml(text, { sections: doc.sections, version: doc.version }));
    assert.ok(sameSwml(text, JSON.stringify(doc)));
    assert.ok(!sameSwml(text, swmlFor('other.sip.livekit.cloud')));
  });
});

describe('signalWireConn', () => {
  it('needs all three SignalWire settings', () => {
    const values = { SIGNALWIRE_SPACE_URL: 'https://example.signalwire.com', SIGNALWIRE_PROJECT_ID: 'p', SIGNALWIRE_API_TOKEN: 't' };
    assert.deepEqual(signalWireConn(values), { spaceUrl: 'https://example.signalwire.com', projectId: 'p', apiToken: 't' });
    assert.equal(signalWireConn({ ...values, SIGNALWIRE_API_TOKEN: undefined }), undefined);
  });
});

describe('numberPointsAt (for check)', () => {
  let sw: SignalWireStandIn;
  const hosted: SwmlTarget = { kind: 'hosted', swml: swmlFor('abc123xyz.sip.livekit.cloud') };
  before(async () => {
    sw = await startSignalWire();
    sw.addNumber(NUMBER, { call_handler: 'laml_webhooks', call_request_url: 'https://old.example.com/voice' });
  });
  after(() => sw.stop());

  it('says what is wrong before setup, reading only', async () => {
    const r = await numberPointsAt(connTo(sw), NUMBER, hosted);
    assert.equal(r.ok, false);
    assert.equal(r.now, 'LaML webhook https://old.example.com/voice');
    assert.match(r.problem!, /there is no SWML script "create-sip-inbound \+14244851544" in .*; \+14244851544 runs LaML webhook https:\/\/old\.example\.com\/voice, not SWML script/);
    assert.equal(sw.writes().length, 0);
  });

  it('is ok after setup, and notices changed SWML', async () => {
    const conn = connTo(sw);
    await applyPlan(planSignalWire(conn, NUMBER, hosted, await observeSignalWire(conn, NUMBER, hosted)));
    const r = await numberPointsAt(conn, NUMBER, hosted);
    assert.equal(r.ok, true, r.problem);
    assert.equal(r.problem, undefined);
    assert.match(r.now, /^SWML script https:\/\/example\.signalwire\.com\/relay-bins\//);

    const stale = await numberPointsAt(conn, NUMBER, { kind: 'hosted', swml: swmlFor('other.sip.livekit.cloud') });
    assert.equal(stale.ok, false);
    assert.match(stale.problem!, new RegExp(`^SWML script "${scriptNameFor(NUMBER).replace('+', '\\+')}" holds other SWML`));
  });

  it('for a URL target, compares the URL', async () => {
    const r = await numberPointsAt(connTo(sw), NUMBER, { kind: 'url', url: 'https://api.example.com/api/swml-inbound' });
    assert.equal(r.ok, false);
    assert.match(r.problem!, /runs SWML script https:\/\/example\.signalwire\.com\/relay-bins\/.*, not the SWML URL https:\/\/api\.example\.com\/api\/swml-inbound/);
  });
});
