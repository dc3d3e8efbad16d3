// What each command needs comes from the settings' requiredBy, through one requiredFor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requiredFor, requireValues } from '../../src/config.ts';

const LIVEKIT = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'];

test('setup and check need LiveKit, the SIP domain, the number and (unless --no-db) Supabase', () => {
  for (const command of ['setup', 'check'] as const) {
    assert.deepEqual(new Set(requiredFor(command)), new Set([...LIVEKIT, 'LIVEKIT_SIP_DOMAIN', 'PHONE_NUMBER', 'SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY']), command);
    assert.deepEqual(new Set(requiredFor(command, { db: false })), new Set([...LIVEKIT, 'LIVEKIT_SIP_DOMAIN', 'PHONE_NUMBER']), `${command} --no-db`);
  }
});

test('remove needs LiveKit and the number only; check --call the SignalWire API and the SIP domain; swml, serve and sql one each', () => {
  assert.deepEqual(new Set(requiredFor('remove')), new Set([...LIVEKIT, 'PHONE_NUMBER']));
  assert.deepEqual(new Set(requiredFor('check --call')), new Set(['LIVEKIT_SIP_DOMAIN', 'SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN', 'SIGNALWIRE_SPACE_URL']));
  assert.deepEqual(requiredFor('swml'), ['LIVEKIT_SIP_DOMAIN']);
  assert.deepEqual(requiredFor('serve'), ['LIVEKIT_SIP_DOMAIN']);
  assert.deepEqual(requiredFor('sql'), ['PHONE_NUMBER']);
});

test('a missing requirement is one line naming each flag and variable', () => {
  assert.throws(
    () => requireValues({ LIVEKIT_URL: 'wss://x.livekit.cloud' }, requiredFor('remove')),
    (e: Error & { exitCode?: number }) =>
      e.exitCode === 2 &&
      e.message === 'Missing (give each as a flag, or set it in the environment or .env): --livekit-api-key (LIVEKIT_API_KEY), --livekit-api-secret (LIVEKIT_API_SECRET), --number (PHONE_NUMBER)',
  );
});
