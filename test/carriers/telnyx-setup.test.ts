// The setup, non-interactive, with --carrier telnyx against the LiveKit, PostgREST and Telnyx stand-ins: it routes
// the number and makes LiveKit's trunk admit only Telnyx's signalling addresses (no digest login) and the row records
// the carrier; check is green; a rerun changes nothing; remove takes the number off the Telnyx connection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startTelnyx } from '../stand-ins/telnyx.ts';
import { NUMBER, startWorld } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';
import { TELNYX_SIGNALLING } from '../../src/carriers/telnyx/index.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

test('setup --carrier telnyx routes the number, a rerun changes nothing, remove un-routes it', { timeout: 120_000 }, async () => {
  const w = await startWorld({ pg });
  const tx = await startTelnyx();
  after(() => Promise.all([w.stop(), tx.stop()]));
  const number = tx.addNumber(NUMBER);
  const cwd = mkdtempSync(join(tmpdir(), 'csi-telnyx-'));
  const env = { ...w.env, ...tx.settings() };
  const secretFree = (r: { stdout: string; stderr: string }) => assert.ok(!r.stdout.includes(tx.apiKey) && !r.stderr.includes(tx.apiKey), 'the API key never shows');

  const first = await runCli(['--yes', '--carrier', 'telnyx', '--number', NUMBER, '--no-check'], { cwd, env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /Telnyx: create FQDN connection "create-sip-inbound"/);
  secretFree(first);
  const [conn] = [...tx.connections.values()];
  assert.equal(number.connection_id, conn!.id);
  assert.equal(conn!.transport_protocol, 'TCP');
  const [host, port] = w.env.LIVEKIT_SIP_DOMAIN!.split(':');
  assert.deepEqual([...tx.fqdns.values()].map((f) => `${f.fqdn}:${f.port}`), [`${host}:${port}`]);

  const [lk] = [...w.livekit.trunks.values()];
  assert.deepEqual(lk!.numbers, [NUMBER]);
  assert.deepEqual([...lk!.allowedAddresses].sort(), [...TELNYX_SIGNALLING].sort(), "LiveKit's trunk admits only Telnyx's signalling addresses");
  assert.equal(lk!.authUsername, '', 'no digest login: Telnyx sends none to an FQDN connection');
  assert.equal((await w.rows())[0]!.carrier, 'telnyx', "the number's row records its carrier");
  const saved = parse(readFileSync(join(cwd, '.env'), 'utf8'));
  assert.equal(saved.CARRIER, 'telnyx');
  assert.equal(saved.LIVEKIT_SIP_PASSWORD, undefined);

  // check is green and judges the Telnyx side through the seam, not SignalWire's hops.
  const checked = await runCli(['check', '--no-probe'], { cwd, env: {} });
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /✓ Telnyx number routes to LiveKit SIP: \+14244851544 routes to LiveKit SIP/);
  assert.doesNotMatch(checked.stdout, /SignalWire number runs|SWML endpoint/);
  secretFree(checked);

  // A rerun reads the carrier back from .env and finds nothing to change.
  const writes = tx.writes().length;
  const again = await runCli(['--yes', '--number', NUMBER, '--no-check'], { cwd, env: w.env });
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /Nothing to change/);
  assert.equal(tx.writes().length, writes, 'no write to Telnyx on the rerun');

  const removed = await runCli(['remove', '--yes', '--number', NUMBER], { cwd, env: w.env });
  assert.equal(removed.code, 0, removed.stderr + removed.stdout);
  assert.match(removed.stdout, /Telnyx \+14244851544: take off connection "create-sip-inbound"/);
  secretFree(removed);
  assert.equal(number.connection_id, null);
  assert.deepEqual(tx.violations, [], 'every answer matched the published document');
});
