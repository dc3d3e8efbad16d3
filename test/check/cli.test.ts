// `check` through the CLI from source, as a person runs it: settings from the environment, exit codes
// 0 / 1 / 2, the printed report, --json that parses, and no secret anywhere in the output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFromSource, type Collected } from '../helpers/cli.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { CALLER, NUMBER, OTHER_NUMBER, SIP_AUTH, setup, type Setup } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

type Run = Collected;
const cli = checkFromSource;

function noSecrets(s: Setup, r: Run) {
  for (const secret of s.secrets) assert.ok(!(r.stdout + r.stderr).includes(secret), 'a secret in the output');
}

test('check from the CLI: 0 when good (plain and --json), 1 with a broken hop, 2 when a setting is missing', async (t) => {
  const good = await setup(t, pg);
  const bad = await setup(t, pg, { trunkNumbers: [OTHER_NUMBER] });
  const { SUPABASE_URL: _, ...missing } = good.values;
  const env = (s: Setup) => ['-f', s.envFile];

  const [plain, json, broken, usage] = await Promise.all([
    cli(env(good), good.values),
    cli([...env(good), '--json', '--no-probe'], good.values),
    cli(env(bad), bad.values),
    cli(env(good), missing),
  ]);

  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  assert.match(plain.stdout, /^✓ \.env complete/m);
  assert.match(plain.stdout, /^✓ Inbound trunk holds \+14244851544/m);
  assert.match(plain.stdout, /^– SignalWire number runs our SWML: skipped/m);
  assert.match(plain.stdout, /^✓ Agent probe: agent "inbound-agent" joined a test room in \d\.\d s/m);
  // The SignalWire leg did not run: the closing line says so rather than "Every hop passed".
  assert.doesNotMatch(plain.stdout, /Every hop passed/);
  assert.match(plain.stdout, /^Every hop that ran passed; not checked: SignalWire number runs our SWML/m);
  noSecrets(good, plain);

  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { ok: boolean; hops: Array<{ id: string }>; probe?: unknown };
  assert.equal(report.ok, true);
  assert.equal(report.hops.length, 10, 'eight hops, the LiveKit doctor and the SIP port hop of a self-hosted SIP domain');
  assert.equal(report.probe, undefined, '--no-probe');
  noSecrets(good, json);

  assert.equal(broken.code, 1, broken.stdout + broken.stderr);
  const red = broken.stdout.split('\n').filter((l) => l.startsWith('✗'));
  assert.deepEqual(red.map((l) => l.split(':')[0]), ['✗ Inbound trunk holds +14244851544']);
  assert.match(broken.stdout, /^ {4}fix: rerun npx create-sip-inbound --number \+14244851544/m);
  assert.match(broken.stdout, /1 problem: fix it/);
  noSecrets(bad, broken);

  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Missing .*--supabase-url \(SUPABASE_URL\)/);
  assert.equal(usage.stdout, '');
  noSecrets(good, usage);
});

test('check from the CLI: a --timeout that is not a number of seconds is a usage error', async () => {
  const r = await cli(['--timeout', 'soon', '-f', '/nonexistent/.env'], {
    LIVEKIT_URL: 'ws://localhost:1', LIVEKIT_API_KEY: 'APIfake', LIVEKIT_API_SECRET: 'fake-secret-0123456789', LIVEKIT_SIP_DOMAIN: 'localhost',
    PHONE_NUMBER: NUMBER, SUPABASE_URL: 'http://localhost:1', SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_fake',
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--timeout: "soon"/);
});

/** Dials the number once the CLI says "Call … now"; the agent logs the call and the caller hangs up. */
function dialWhenAsked(s: Setup) {
  let called = false;
  return (all: string) => {
    if (called || !all.includes('Call +1 424 485 1544 now')) return;
    called = true;
    void (async () => {
      const call = await s.lk.simulateCall({ to: NUMBER, from: CALLER, auth: SIP_AUTH });
      await pg.query(`INSERT INTO interactions (phone_number, caller_number) VALUES ($1, $2)`, [NUMBER, CALLER], s.db);
      setTimeout(() => {
        const room = s.lk.rooms.get(call.room)!;
        room.participants = room.participants.filter((p) => p.identity !== call.participant.identity);
      }, 500);
    })();
  };
}

test('check --live from the CLI: "Call +1 424 485 1544 now", then the call is reported with its caller (also under --json)', async (t) => {
  const plain = await setup(t, pg, { workerDelayMs: 200 });
  const json = await setup(t, pg, { workerDelayMs: 200 });
  const args = (s: Setup) => ['-f', s.envFile, '--live', '--no-probe', '--timeout', '8'];
  const [r, j] = await Promise.all([cli(args(plain), plain.values, dialWhenAsked(plain)), cli([...args(json), '--json'], json.values, dialWhenAsked(json))]);

  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Call \+1 424 485 1544 now \(watching for 8 s\)$/m);
  assert.match(r.stdout, /^ {2}call from \+16505300051 reached LiveKit/m);
  assert.match(r.stdout, /^✓ Live call to \+14244851544: call from \+16505300051, SIP joined \d+ ms after the room was created, agent after 0\.\d s, answered, call ended, interaction logged$/m);
  noSecrets(plain, r);

  // Under --json the instruction goes to stderr, and stdout is only the report.
  assert.equal(j.code, 0, j.stdout + j.stderr);
  assert.match(j.stderr, /^Call \+1 424 485 1544 now \(watching for 8 s\)$/m);
  const live = (JSON.parse(j.stdout) as { live: { ok: boolean; caller: string; agentJoinedMs: number } }).live;
  assert.equal(live.ok, true);
  assert.equal(live.caller, CALLER);
  assert.ok(live.agentJoinedMs >= 190, String(live.agentJoinedMs));
  noSecrets(json, j);
});

test('check without --number: one block of hops per number on our trunk; --no-db skips the database; fix lines run as written', async (t) => {
  const s = await setup(t, pg);
  const { PHONE_NUMBER: _, ...values } = s.values;
  const [all, nodb, json] = await Promise.all([
    cli(['-f', s.envFile, '--no-probe'], values),
    cli(['-f', s.envFile, '--no-probe', '--no-db'], values),
    cli(['-f', s.envFile, '--no-probe', '--json'], values),
  ]);

  // Both numbers, each under its own heading; the second has no database row.
  assert.equal(all.code, 1, all.stdout + all.stderr);
  assert.match(all.stdout, /^\+14244851544\n✓ \.env complete/m);
  assert.match(all.stdout, /^\+13105550100\n✓ \.env complete/m);
  assert.match(all.stdout, /✓ Inbound trunk holds \+13105550100/);
  assert.match(all.stdout, /✗ Database row for \+13105550100: no row/);
  assert.match(all.stdout, new RegExp(`run \`npx create-sip-inbound check -f ${s.envFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` again`));
  assert.doesNotMatch(all.stdout + all.stderr, /Missing|give --number/, 'no number needs naming');

  assert.equal(nodb.code, 0, nodb.stdout + nodb.stderr);
  assert.equal((nodb.stdout.match(/– Database row for the number: skipped, the database is managed elsewhere/g) ?? []).length, 2);
  assert.doesNotMatch(nodb.stdout, /Every hop passed/);
  assert.match(nodb.stdout, /not checked: Database row for the number, SignalWire number runs our SWML/);

  const report = JSON.parse(json.stdout) as { ok: boolean; numbers: Array<{ number: string; ok: boolean }> };
  assert.equal(report.ok, false);
  assert.deepEqual(report.numbers.map((n) => [n.number, n.ok]), [[NUMBER, true], [OTHER_NUMBER, false]]);
  noSecrets(s, all);
});
