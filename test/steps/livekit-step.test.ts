// The LiveKit step with a scripted prompter against the LiveKit stand-in: every failure asks again,
// prefilled; a rejected secret is asked afresh; a 5xx offers "Try again"; prompts say where to find values.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { askLiveKit } from '../../src/steps/livekit.ts';
import { liveKitAnswers, script, session } from './helpers.ts';

let lk: LiveKitStandIn;
const HOME = process.env.LIVEKIT_CLI_CONFIG;
before(async () => {
  lk = await startLiveKit();
  // The agent-name search reads the working directory: an empty one here.
  process.chdir(mkdtempSync(join(tmpdir(), 'csi-steps-')));
  process.env.LIVEKIT_CLI_CONFIG = '/nonexistent/cli-config.yaml';
});
after(async () => {
  await lk.stop();
  if (HOME === undefined) delete process.env.LIVEKIT_CLI_CONFIG;
  else process.env.LIVEKIT_CLI_CONFIG = HOME;
});

test('an unreachable host is named, then only the URL is asked again, prefilled; key and secret are kept as typed', async () => {
  const bad = 'wss://no-such-project.invalid';
  const s = session();
  let prefilled: unknown;
  const run = script([
    ['LiveKit URL', bad],
    ['LiveKit API key', lk.apiKey],
    ['LiveKit API secret', lk.apiSecret],
    ['LiveKit URL', (p) => ((prefilled = p.initialValue), lk.url)],
    ['LiveKit SIP domain', 'abc123.sip.livekit.cloud'],
    ['Agent name', ''],
  ]);
  await askLiveKit(s);
  run.done();
  assert.equal(prefilled, bad, 'the URL comes back prefilled with what was typed');
  assert.ok(run.logs.some((l) => /^error: Cannot reach LiveKit at wss:\/\/no-such-project\.invalid: .*; check the LiveKit URL you typed and the network$/.test(l)), run.logs.join('\n'));
  assert.equal(s.values.LIVEKIT_URL, lk.url);
  assert.equal(s.values.LIVEKIT_API_SECRET, lk.apiSecret);
});

test('a rejected secret is asked afresh, alone, never offered back as the current one; the message names the variable it came from', async () => {
  const s = session({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: 'wrong-secret-0000' });
  s.review.add('livekit');
  const run = script([
    ['LiveKit URL', ''],
    ['LiveKit API key', ''],
    [/LiveKit API secret \(Enter keeps the current one\)/, ''],
    [(/^LiveKit API secret\n/), lk.apiSecret],
    ['LiveKit SIP domain', 'abc123.sip.livekit.cloud'],
    ['Agent name', ''],
  ]);
  await askLiveKit(s);
  run.done();
  assert.ok(run.logs.some((l) => /rejected the API secret of key \S+: check LIVEKIT_API_SECRET$/.test(l)), run.logs.join('\n'));
  assert.ok(!run.asked[3]!.message.includes('Enter keeps'), 'the rejected secret is not offered again');
  assert.equal(s.values.LIVEKIT_API_SECRET, lk.apiSecret);
});

test('a key LiveKit does not know: only the key is asked again, prefilled with what was typed; the message names the prompt', async () => {
  const s = session();
  let prefilled: unknown;
  const run = script([
    ['LiveKit URL', lk.url],
    ['LiveKit API key', 'APItypo'],
    ['LiveKit API secret', lk.apiSecret],
    ['LiveKit API key', (p) => ((prefilled = p.initialValue), lk.apiKey)],
    ['LiveKit SIP domain', 'abc123.sip.livekit.cloud'],
    ['Agent name', ''],
  ]);
  await askLiveKit(s);
  run.done();
  assert.equal(prefilled, 'APItypo');
  assert.ok(run.logs.some((l) => /does not know the API key APItypo: check the LiveKit API key you typed$/.test(l)), run.logs.join('\n'));
  assert.doesNotMatch(run.logs.join('\n'), /LIVEKIT_/, 'no variable the person never set');
  assert.equal(s.values.LIVEKIT_API_SECRET, lk.apiSecret);
});

test('a 5xx offers "Try again", which checks the same values again without asking', async () => {
  lk.fault({ match: 'ListSIPInboundTrunk', status: 503, times: 1 });
  const s = session();
  const run = script([
    ['LiveKit URL', lk.url],
    ['LiveKit API key', lk.apiKey],
    ['LiveKit API secret', lk.apiSecret],
    ['Try again, or change the values?', 'retry'],
    ['LiveKit SIP domain', 'abc123.sip.livekit.cloud'],
    ['Agent name', ''],
  ]);
  await askLiveKit(s);
  run.done();
  assert.ok(run.logs.some((l) => /503/.test(l)), run.logs.join('\n'));
  assert.equal(s.values.LIVEKIT_API_KEY, lk.apiKey);
});

test('without prompts a failure still ends the run with its own error', async () => {
  const s = session({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: 'wrong' }, { interactive: false });
  await assert.rejects(askLiveKit(s), (e: Error & { exitCode?: number }) => e.exitCode === 2 && /rejected the API secret/.test(e.message));
});

test('each credential prompt names where to find the value, with the dashboard link', async () => {
  const s = session();
  const run = script(liveKitAnswers(lk));
  await askLiveKit(s);
  run.done();
  const [url, key, secret, sip, agent] = run.asked.map((a) => a.message);
  // No project known yet: the page that lists the projects, never a link with a literal p_ in it.
  for (const m of [url!, key!, secret!]) assert.match(m, /https:\/\/cloud\.livekit\.io\/projects$/m);
  assert.doesNotMatch(run.asked.map((a) => a.message).join('\n'), /p_/);
  assert.match(sip!, /SIP URI/);
  assert.match(agent!, /joins only when the rule names it/, "the setting's hint is shown under the prompt");
});

test('with the LiveKit project known (from the LiveKit CLI config), its dashboard links open that project', async () => {
  const s = session();
  s.liveKitProject = 'p_abc123xyz';
  const run = script(liveKitAnswers(lk));
  await askLiveKit(s);
  run.done();
  assert.match(run.asked[1]!.message, /https:\/\/cloud\.livekit\.io\/projects\/p_abc123xyz\/settings\/keys/);
  assert.match(run.asked[3]!.message, /"SIP URI" \(the host, without "sip:"\): https:\/\/cloud\.livekit\.io\/projects\/p_abc123xyz\/settings\/project/);
});
