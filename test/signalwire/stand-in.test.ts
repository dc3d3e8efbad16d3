// The stand-in is only worth something if it refuses what SignalWire refuses: raw HTTP against it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSignalWire, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { NUMBER, swmlFor } from './helpers.ts';

describe('SignalWire stand-in', () => {
  let sw: SignalWireStandIn;
  let numberId: string;
  before(async () => {
    sw = await startSignalWire();
    numberId = sw.addNumber(NUMBER).id;
  });
  after(() => sw.stop());

  const send = async (method: string, path: string, body?: unknown, auth = `${sw.projectId}:${sw.apiToken}`) => {
    const res = await fetch(sw.url + path, {
      method,
      headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('demands Basic auth and answers 401 in SignalWire\'s shape', async () => {
    assert.deepEqual(await send('GET', '/api/relay/rest/phone_numbers', undefined, `${sw.projectId}:nope`), { status: 401, body: { error: 'Unauthorized' } });
  });

  it('rejects unknown fields on a phone number update (relay 422 shape)', async () => {
    const r = await send('PUT', `/api/relay/rest/phone_numbers/${numberId}`, { call_handler: 'relay_script', call_relay_script_url: 'https://x.example/s', swml: '{}' });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body, { errors: [{ detail: 'swml is not a valid attribute', status: '422', title: 'Invalid Attribute', code: '422' }] });
  });

  it('wants a URL with relay_script', async () => {
    const r = await send('PUT', `/api/relay/rest/phone_numbers/${numberId}`, { call_handler: 'relay_script' });
    assert.equal(r.status, 422);
  });

  it('creates scripts with name + contents only, and checks the SWML (fabric 422 shape)', async () => {
    const wrongField = await send('POST', '/api/fabric/resources/swml_scripts', { display_name: 'x', contents: swmlFor('a.sip.livekit.cloud') });
    assert.equal(wrongField.status, 422);
    assert.deepEqual((wrongField.body as { errors: Array<{ code: string; attribute: string }> }).errors.map((e) => [e.code, e.attribute]), [['invalid_parameter', 'display_name']]);
    const badSwml = await send('POST', '/api/fabric/resources/swml_scripts', { name: 'x', contents: '<Response/>' });
    assert.equal(badSwml.status, 422);
    const ok = await send('POST', '/api/fabric/resources/swml_scripts', { name: 'x', contents: swmlFor('a.sip.livekit.cloud') });
    assert.equal(ok.status, 200);
    const made = ok.body as { id: string; display_name: string; swml_script: { request_url: string } };
    assert.equal(made.display_name, 'x');
    assert.equal(made.swml_script.request_url, `https://example.signalwire.com/relay-bins/${made.id}`);
  });

  it('filters numbers by substring, so a bare "+" (read as a space) finds nothing', async () => {
    const encoded = await send('GET', '/api/relay/rest/phone_numbers?filter_number=%2B1424');
    assert.equal((encoded.body as { data: unknown[] }).data.length, 1);
    const bare = await send('GET', '/api/relay/rest/phone_numbers?filter_number=+1424');
    assert.equal((bare.body as { data: unknown[] }).data.length, 0);
  });
});
