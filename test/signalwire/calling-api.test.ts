// The service's calling and voice-log functions against the stand-in, which checks each request field by field
// (calling-api/calls/models/requests.tsp; voice-api/logs): dial, calling.end, logs and their events, and the
// refusals (an unknown field, a caller that is neither the space's nor verified, a trial space's callee).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError, UsageError } from '../../src/errors.ts';
import { dialCall, endCall, getVoiceLog, listVoiceLogs, listVerifiedNumbers, voiceLogEvents } from '../../src/carriers/signalwire/index.ts';
import { startSignalWire } from '../stand-ins/signalwire.ts';
import { connTo, NUMBER, oneLineError } from './helpers.ts';
import { CALLER } from '../fixtures.ts';

const FROM = CALLER;
const swml = { version: '1.0.0', sections: { main: [{ play: { urls: ['silence:30'] } }, { hangup: {} }] } };

test('dial, read the log while it rings, end it: calling.end lands and the log says so', async (t) => {
  const sw = await startSignalWire();
  t.after(() => sw.stop());
  sw.addNumber(NUMBER);
  sw.addNumber(FROM);
  sw.neverAnswer = true;
  const conn = connTo(sw);
  const since = new Date();
  const placed = await dialCall(conn, { from: FROM, to: '+12125550123', swml, timeoutSec: 30 });
  assert.equal(placed.status, 'queued');
  const sent = sw.requests.find((r) => r.path === '/api/calling/calls')!.body as { command: string; params: Record<string, unknown> };
  assert.deepEqual(sent, { command: 'dial', params: { from: FROM, to: '+12125550123', swml, timeout: 30 } });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await getVoiceLog(conn, placed.id))?.status, 'ringing');
  await endCall(conn, placed.id);
  assert.deepEqual(sw.endedByApi, [placed.id]);
  const log = await getVoiceLog(conn, placed.id);
  assert.equal(log?.status, 'canceled');
  assert.equal(log?.direction, 'outbound-api');
  assert.deepEqual((await listVoiceLogs(conn, since)).map((l) => l.id), [placed.id]);
  const names = (await voiceLogEvents(conn, placed.id)).map((e) => e.name);
  assert.deepEqual(names, ['calling_call_initiated', 'calling_call_ringing', 'calling_call_ended']);
  assert.equal(await getVoiceLog(conn, '00000000-0000-0000-0000-000000000000'), undefined);
  await endCall(conn, '00000000-0000-0000-0000-000000000000'); // nothing left to end is fine
});

test('refusals: a caller not of the space, a trial callee, the Voice scope, a 402 balance; one line, no secret', async (t) => {
  const sw = await startSignalWire({ trial: true, apiToken: 'PTsecret-token-for-call-tests' });
  t.after(() => sw.stop());
  sw.addNumber(NUMBER);
  const conn = connTo(sw);
  const sip = { username: 'u', password: 'sip-secret-password' };
  const notOurs = await oneLineError(() => dialCall(conn, { from: '+12125550123', to: NUMBER, swml }), UsageError, sw.apiToken);
  assert.match(notOurs, /422: 'From' phone number not verified.*call from a number of the space or a verified caller ID/);
  const trial = await oneLineError(() => dialCall(conn, { from: NUMBER, to: '+12125550123', swml, ...sip }), UsageError, sip.password);
  assert.match(trial, /a trial space calls only its own and verified numbers/);
  sw.verified.add('+12125550123');
  assert.deepEqual(await listVerifiedNumbers(conn), ['+12125550123']);
  sw.fault({ match: 'POST /api/calling/calls', status: 402, times: 1 });
  assert.match(await oneLineError(() => dialCall(conn, { from: NUMBER, to: '+12125550123', swml }), ServiceError, sw.apiToken), /402.*add funds/);
  sw.tokenScopes.delete('voice');
  assert.match(await oneLineError(() => dialCall(conn, { from: NUMBER, to: '+12125550123', swml }), UsageError, sw.apiToken), /lacks the Voice scope/);
});
