// `remove`: the number comes off our trunk; the trunk and our rule go only when no number is left.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { SipClient } from 'livekit-server-sdk';
import { run } from '../../src/commands/remove.ts';
import type { Context } from '../../src/context.ts';
import { isolatedEnv } from '../helpers/cli.ts';
import { exitCodeOf, UsageError } from '../../src/errors.ts';
import { testContext } from '../helpers/context.ts';
import { connOf, converge, desired, NUMBER, SECOND, writes, sharedStandIn } from './helpers.ts';

const stand = sharedStandIn();

function ctxFor(number: string, over: Partial<Context> = {}): Context {
  return testContext({
    values: { LIVEKIT_URL: stand.lk.url, LIVEKIT_API_KEY: stand.lk.apiKey, LIVEKIT_API_SECRET: stand.lk.apiSecret, PHONE_NUMBER: number },
    ...over,
  });
}

/** Runs the command in-process and returns its exit code (as the CLI would) and what it printed. */
async function removeCmd(ctx: Context): Promise<{ code: number; out: string; error?: unknown }> {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    return { code: await run(ctx), out };
  } catch (error) {
    return { code: exitCodeOf(error), out, error };
  } finally {
    process.stdout.write = write;
  }
}

async function setUpTwoNumbers() {
  await converge(connOf(stand.lk), desired());
  await converge(connOf(stand.lk), desired({ number: SECOND }));
  stand.lk.requests.length = 0;
}

test('with another number left: only a ListUpdate remove on the trunk; the rule stays', async () => {
  await setUpTwoNumbers();
  const r = await removeCmd(ctxFor(NUMBER));
  assert.equal(r.code, 0, String(r.error));
  assert.deepEqual(writes(stand.lk).map((w) => w.rpc), ['UpdateSIPInboundTrunk']);
  assert.deepEqual([...stand.lk.trunks.values()][0]!.numbers, [SECOND]);
  assert.equal(stand.lk.rules.size, 1);
  assert.match(r.out, new RegExp(`✔ LiveKit trunk "create-sip-inbound": remove \\${NUMBER} \\(keeps \\${SECOND}\\)`));
});

test('the last number: the rule, then the trunk, are deleted; one line per change', async () => {
  await converge(connOf(stand.lk), desired());
  stand.lk.requests.length = 0;
  const r = await removeCmd(ctxFor(NUMBER));
  assert.equal(r.code, 0, String(r.error));
  assert.deepEqual(writes(stand.lk).map((w) => w.rpc), ['DeleteSIPDispatchRule', 'DeleteSIPTrunk']);
  assert.equal(stand.lk.trunks.size, 0);
  assert.equal(stand.lk.rules.size, 0);
  const done = r.out.split('\n').filter((l) => l.startsWith('✔'));
  assert.deepEqual(done, [
    '✔ LiveKit dispatch rule "create-sip-inbound": delete (its trunk has no number left)',
    `✔ LiveKit trunk "create-sip-inbound": delete (${NUMBER} was its last number)`,
  ]);
});

test('a rule that also covers another trunk is kept and stops naming ours', async () => {
  await converge(connOf(stand.lk), desired());
  const other = await new SipClient(stand.lk.url, stand.lk.apiKey, stand.lk.apiSecret).createSipInboundTrunk('other', ['+15550002222']);
  const rule = [...stand.lk.rules.values()][0]!;
  const { ListUpdate } = await import('@livekit/protocol');
  await new SipClient(stand.lk.url, stand.lk.apiKey, stand.lk.apiSecret).updateSipDispatchRuleFields(rule.sipDispatchRuleId, { trunkIds: new ListUpdate({ add: [other.sipTrunkId] }) });
  stand.lk.requests.length = 0;
  const r = await removeCmd(ctxFor(NUMBER));
  assert.equal(r.code, 0, String(r.error));
  assert.deepEqual(writes(stand.lk).map((w) => w.rpc), ['UpdateSIPDispatchRule', 'DeleteSIPTrunk']);
  assert.deepEqual([...stand.lk.rules.values()][0]!.trunkIds, [other.sipTrunkId]);
  assert.deepEqual([...stand.lk.trunks.values()].map((t) => t.name), ['other']);
});

test('a number not on our trunk: nothing to change, no write', async () => {
  await converge(connOf(stand.lk), desired());
  stand.lk.requests.length = 0;
  const r = await removeCmd(ctxFor(SECOND));
  assert.equal(r.code, 0);
  assert.match(r.out, /LiveKit\n  nothing to change\n  ! \+14244851545 is not on LiveKit trunk "create-sip-inbound"/);
  assert.deepEqual(writes(stand.lk), []);
});

test('a number on someone else\'s trunk is left alone with a clear exit-2 line', async () => {
  await new SipClient(stand.lk.url, stand.lk.apiKey, stand.lk.apiSecret).createSipInboundTrunk('theirs', [NUMBER]);
  stand.lk.requests.length = 0;
  const r = await removeCmd(ctxFor(NUMBER));
  assert.equal(r.code, 2);
  assert.ok(r.error instanceof UsageError);
  assert.match(r.error.message, /is on LiveKit trunk "theirs"/);
  assert.deepEqual(writes(stand.lk), []);
});

test('without --yes and without a terminal it changes nothing and says to pass --yes', async () => {
  await converge(connOf(stand.lk), desired());
  stand.lk.requests.length = 0;
  const r = await removeCmd(ctxFor(NUMBER, { yes: false }));
  assert.equal(r.code, 2);
  assert.match((r.error as Error).message, /pass --yes/);
  assert.deepEqual(writes(stand.lk), []);
  assert.equal(stand.lk.trunks.size, 1);
});

test('--dry-run shows the plan and changes nothing', async () => {
  await converge(connOf(stand.lk), desired());
  stand.lk.requests.length = 0;
  const r = await removeCmd(ctxFor(NUMBER, { dryRun: true }));
  assert.equal(r.code, 0);
  assert.match(r.out, /• LiveKit trunk "create-sip-inbound": delete/);
  assert.deepEqual(writes(stand.lk), []);
});

test('missing settings: one exit-2 line naming each flag and variable', async () => {
  const r = await removeCmd({ ...ctxFor(NUMBER), values: { LIVEKIT_URL: stand.lk.url } });
  assert.equal(r.code, 2);
  const msg = (r.error as Error).message;
  for (const name of ['--livekit-api-key (LIVEKIT_API_KEY)', '--livekit-api-secret (LIVEKIT_API_SECRET)', '--number (PHONE_NUMBER)']) assert.ok(msg.includes(name), msg);
});

test('through the CLI: flags and environment reach the command; exit codes and lines as a person sees them', async () => {
  await setUpTwoNumbers();
  const env = { LIVEKIT_URL: stand.lk.url, LIVEKIT_API_KEY: stand.lk.apiKey, LIVEKIT_API_SECRET: stand.lk.apiSecret };
  const envFile = join(mkdtempSync(join(tmpdir(), 'remove-')), '.env');
  const refused = await cli(['remove', '--number', '(424) 485-1544', '-f', envFile], env);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^✖ remove changes LiveKit and asks first: pass --yes/);
  const done = await cli(['remove', '--number', '(424) 485-1544', '--yes', '-f', envFile], env);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /✔ LiveKit trunk "create-sip-inbound": remove \+14244851544/);
  assert.ok(!done.stdout.includes(stand.lk.apiSecret) && !done.stderr.includes(stand.lk.apiSecret));
  assert.deepEqual([...stand.lk.trunks.values()][0]!.numbers, [SECOND]);
});

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const code = `import(${JSON.stringify(join(ROOT, 'src/cli.ts'))}).then((m) => m.main(process.argv.slice(1)))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code, ...args], {
      cwd: ROOT,
      env: isolatedEnv({ NO_COLOR: '1', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
}
