// The check's SIP hop against the real livekit-sip and livekit-server: OPTIONS over TCP to the SIP port is
// answered in SIP; the same bytes to LiveKit's API port are answered in HTTP, and the check says it is not SIP.
// The stand-in's SIP port must answer as the real one does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sipOptionsHop } from '../../src/check/sip-options-hop.ts';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { NUMBER, startRealWorld, type RealWorld } from './helpers.ts';

let world: RealWorld;
let standIn: LiveKitStandIn;
before(async () => {
  [world, standIn] = await Promise.all([startRealWorld(), startLiveKit()]);
}, { timeout: 60_000 });
after(async () => {
  await Promise.allSettled([world?.stop(), standIn?.stop()]);
});

test('real livekit-sip answers OPTIONS 200 OK, and so does the stand-in; the API port answers in HTTP', async () => {
  const real = await sipOptionsHop(world.lk.sipDomain);
  assert.equal(real.ok, true, real.detail);
  assert.match(real.detail!, /answered SIP\/2\.0 200 OK in \d/);
  const stand = await sipOptionsHop(standIn.sipHost);
  assert.equal(stand.ok, true, stand.detail);
  assert.match(stand.detail!, /answered SIP\/2\.0 200 OK in \d/);

  const api = new URL(world.lk.url).host;
  const http = await sipOptionsHop(api);
  assert.equal(http.ok, false);
  assert.match(http.detail!, /answered as an HTTP server \(HTTP\/1\.1 400 Bad Request\): it is not a SIP service/);
});

test('check with LIVEKIT_SIP_DOMAIN set to the LiveKit API host:port fails the SIP hop (exit 1), saying it is not SIP', async () => {
  const api = new URL(world.lk.url).host;
  const bad = await world.cli(['check', '--number', NUMBER, '--no-db', '--no-probe'], { LIVEKIT_SIP_DOMAIN: api });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`^✗ SIP service answers at ${api.replace(/\./g, '\\.')} \\(OPTIONS over TCP\\): .*not a SIP service`, 'm'));
  const good = await world.cli(['check', '--number', NUMBER, '--no-db', '--no-probe']);
  assert.match(good.stdout, new RegExp(`^✓ SIP service answers at ${world.lk.sipDomain.replace(/\./g, '\\.')} .*answered SIP/2\\.0 200 OK`, 'm'));
});
