// The wizard, non-interactive, against the real livekit-server: it creates the inbound trunk (with the SIP
// login it wrote to .env) and the dispatch rule; a rerun writes nothing; a second number joins the same
// trunk; `remove` takes it off again; two first runs at once from two folders end with one trunk whose login
// both .env files hold. When the real stack is not installed this fails, naming the command.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'dotenv';
import { SipClient } from 'livekit-server-sdk';
import { runCli } from '../helpers/cli.ts';
import { NUMBER, SECOND, startRealWorld, type RealWorld } from './helpers.ts';

let w: RealWorld;
before(async () => (w = await startRealWorld()), { timeout: 60_000 });
after(() => w?.stop());

const sip = () => new SipClient(w.lk.url, w.lk.apiKey, w.lk.apiSecret);
const state = async () => ({ trunks: await sip().listSipInboundTrunk(), rules: await sip().listSipDispatchRule() });
const setup = (number: string) => w.cli(['--yes', '--no-interactive', '--number', number, '--agent-name', 'inbound-agent', '--no-check']);

test('the wizard creates the trunk (with the .env login) and the rule on the real server', { timeout: 60_000 }, async () => {
  const r = await setup(NUMBER);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const { trunks, rules } = await state();
  assert.equal(trunks.length, 1);
  const env = parse(readFileSync(join(w.cwd, '.env')));
  assert.deepEqual(trunks[0]!.numbers, [NUMBER]);
  assert.equal(trunks[0]!.name, 'create-sip-inbound');
  assert.equal(trunks[0]!.authUsername, env.LIVEKIT_SIP_USERNAME);
  assert.equal(trunks[0]!.authPassword, env.LIVEKIT_SIP_PASSWORD);
  assert.ok(env.LIVEKIT_SIP_PASSWORD && env.LIVEKIT_SIP_PASSWORD.length >= 16, 'a generated password');
  assert.ok(!(r.stdout + r.stderr).includes(env.LIVEKIT_SIP_PASSWORD!), 'the password is not printed');
  assert.equal(rules.length, 1);
  assert.deepEqual(rules[0]!.trunkIds, [trunks[0]!.sipTrunkId]);
  assert.equal(rules[0]!.rule?.rule.case, 'dispatchRuleIndividual');
  assert.equal(rules[0]!.rule?.rule.case === 'dispatchRuleIndividual' && rules[0]!.rule.rule.value.roomPrefix, 'sip-');
  assert.deepEqual(rules[0]!.roomConfig?.agents.map((a) => a.agentName), ['inbound-agent']);
});

test('a rerun with nothing new writes nothing: same trunk and rule, ids and all', { timeout: 60_000 }, async () => {
  const before = await state();
  const r = await setup(NUMBER);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Nothing to change/);
  assert.deepEqual(await state(), before);
});

test('a second number joins the same trunk; remove takes it off and leaves the first', { timeout: 60_000 }, async () => {
  const r = await setup(SECOND);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  let { trunks, rules } = await state();
  assert.equal(trunks.length, 1, 'no second trunk');
  assert.deepEqual([...trunks[0]!.numbers].sort(), [SECOND, NUMBER]);
  assert.equal(rules.length, 1);

  const rm = await w.cli(['remove', '--yes', '--number', SECOND]);
  assert.equal(rm.code, 0, rm.stdout + rm.stderr);
  ({ trunks, rules } = await state());
  assert.deepEqual(trunks.map((t) => t.numbers), [[NUMBER]]);
  assert.equal(rules.length, 1, 'the rule stays while a number is left');

  const last = await w.cli(['remove', '--yes', '--number', NUMBER]);
  assert.equal(last.code, 0, last.stdout + last.stderr);
  assert.deepEqual(await state(), { trunks: [], rules: [] }, 'our trunk and rule go with the last number');
});

test('two first runs at once from two folders, 4 times: one trunk and one rule, and both .env files hold the trunk\'s login', { timeout: 120_000 }, async () => {
  for (let trial = 0; trial < 4; trial++) {
    const folders = [mkdtempSync(join(tmpdir(), 'csi-real-race-')), mkdtempSync(join(tmpdir(), 'csi-real-race-'))];
    const args = ['--yes', '--no-interactive', '--number', NUMBER, '--agent-name', 'inbound-agent', '--no-check'];
    const runs = await Promise.all(folders.map((cwd) => runCli(args, { cwd, env: w.env })));
    for (const r of runs) assert.equal(r.code, 0, `trial ${trial}: ${r.stdout}${r.stderr}`);
    const { trunks, rules } = await state();
    assert.equal(trunks.length, 1, `trial ${trial}: one trunk`);
    assert.equal(rules.length, 1, `trial ${trial}: one rule`);
    for (const cwd of folders) {
      const env = parse(readFileSync(join(cwd, '.env')));
      assert.deepEqual([env.LIVEKIT_SIP_USERNAME, env.LIVEKIT_SIP_PASSWORD], [trunks[0]!.authUsername, trunks[0]!.authPassword], `trial ${trial}: ${cwd}/.env`);
    }
    const rm = await runCli(['remove', '--yes', '--number', NUMBER], { cwd: folders[0]!, env: w.env });
    assert.equal(rm.code, 0, rm.stdout + rm.stderr);
    assert.deepEqual(await state(), { trunks: [], rules: [] });
  }
});
