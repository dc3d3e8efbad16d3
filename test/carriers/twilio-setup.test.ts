// The setup, non-interactive, with --carrier twilio against the LiveKit, PostgREST and Twilio stand-ins: it routes
// the number and makes LiveKit's trunk admit only Twilio's addresses (no digest login) and the row records the carrier;
// check is green; a rerun
// changes nothing; remove detaches the number from the Twilio trunk.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startTwilio } from '../stand-ins/twilio.ts';
import { NUMBER, startWorld } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';
import { TWILIO_SIGNALLING } from '../../src/carriers/twilio/index.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

test('setup --carrier twilio routes the number, a rerun changes nothing, remove un-routes it', { timeout: 120_000 }, async () => {
  const w = await startWorld({ pg });
  const tw = await startTwilio();
  after(() => Promise.all([w.stop(), tw.stop()]));
  tw.addNumber(NUMBER);
  const cwd = mkdtempSync(join(tmpdir(), 'csi-twilio-'));
  const env = { ...w.env, ...tw.settings() };

  const first = await runCli(['--yes', '--carrier', 'twilio', '--number', NUMBER, '--no-check'], { cwd, env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /Twilio: create Elastic SIP trunk "create-sip-inbound"/);
  assert.ok(!first.stdout.includes(tw.authToken) && !first.stderr.includes(tw.authToken), 'the auth token never shows');
  const number = [...tw.numbers.values()][0]!;
  const [trunk] = [...tw.trunks.values()];
  assert.equal(number.trunk_sid, trunk!.sid);
  assert.deepEqual([...tw.origins.values()].map((o) => o.sip_url), [`sip:${w.env.LIVEKIT_SIP_DOMAIN};transport=tcp`]);

  const [lk] = [...w.livekit.trunks.values()];
  assert.deepEqual(lk!.numbers, [NUMBER]);
  assert.deepEqual([...lk!.allowedAddresses].sort(), [...TWILIO_SIGNALLING].sort(), "LiveKit's trunk admits only Twilio's signalling addresses");
  assert.equal(lk!.authUsername, '', 'no digest login: Twilio sends none');
  assert.equal((await w.rows())[0]!.carrier, 'twilio', "the number's row records its carrier");
  const saved = parse(readFileSync(join(cwd, '.env'), 'utf8'));
  assert.equal(saved.CARRIER, 'twilio');
  assert.equal(saved.LIVEKIT_SIP_PASSWORD, undefined);

  // check is green and judges the Twilio side through the seam, not SignalWire's hops.
  const checked = await runCli(['check', '--no-probe'], { cwd, env: {} });
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /✓ Twilio number routes to LiveKit SIP: \+14244851544 routes to LiveKit SIP/);
  assert.doesNotMatch(checked.stdout, /SignalWire number runs|SWML endpoint/);

  // A rerun reads the carrier back from .env and finds nothing to change.
  const writes = tw.writes().length;
  const again = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env: w.env });
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /Nothing to change/);
  assert.equal(tw.writes().length, writes, 'no write to Twilio on the rerun');

  const removed = await runCli(['remove', '--yes', '--number', NUMBER], { cwd, env: w.env });
  assert.equal(removed.code, 0, removed.stderr + removed.stdout);
  assert.match(removed.stdout, /Twilio \+14244851544: detach from trunk "create-sip-inbound"/);
  assert.equal(number.trunk_sid, null);
  assert.deepEqual(tw.violations, [], 'every answer matched the published documents');
});
