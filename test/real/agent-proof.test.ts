// The check proves the guide's success criteria on a real call: the setup creates the starter agent
// (--agent python, local providers), a lead is added, the agent starts as its README says, and `check --call`
// has the SignalWire stand-in dial through the real livekit-sip. The check reads the agent's report
// (docs/agent-report.md) and its interactions row: which number's settings it loaded, its providers against
// the row, when it greeted, and the logged call. An inactive row makes the agent fall back, and the check names
// it. An agent that joins and publishes no audio leaves the caller ringing, and the check says so.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startSignalWire, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { startAgent } from './agent.ts';
import { AGENT_PYTHON } from './paths.ts';
import { starterEnv } from './starter.ts';
import { startService, waitUntil, type Service } from './processes.ts';
import { CALLER, NUMBER, startRealWorld, stopInOrder, type RealWorld } from './helpers.ts';
import { sipDialer } from './sip-dialer.ts';
import type { CheckReport } from '../../src/check/types.ts';

const AGENT = 'inbound-agent';
let w: RealWorld;
let sw: SignalWireStandIn;
let agent: Service | undefined;
let swEnv: Record<string, string>;

before(async () => {
  w = await startRealWorld();
  sw = await startSignalWire({ dialer: (d) => sipDialer()(d) });
  sw.addNumber(NUMBER);
  sw.addNumber(CALLER);
  swEnv = { SIGNALWIRE_SPACE_URL: sw.url, SIGNALWIRE_PROJECT_ID: sw.projectId, SIGNALWIRE_API_TOKEN: sw.apiToken };
  const local = ['--stt-provider', 'local', '--tts-provider', 'local', '--llm-provider', 'local'];
  const r = await w.cli(['--yes', '--no-interactive', '--number', NUMBER, ...local, '--agent-name', AGENT, '--agent', 'python', '--no-check'], swEnv);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lead = await rest('leads', { method: 'POST', body: JSON.stringify({ phone: CALLER, name: 'Ada Lovelace', qualified: true }) });
  assert.equal(lead.status, 201, await lead.text());
  // As its README says, in the folder the setup wrote it to.
  agent = startService('starter agent', AGENT_PYTHON, ['agent.py', 'start'], {
    cwd: w.cwd,
    log: join(mkdtempSync(join(tmpdir(), 'csi-agent-')), 'agent.log'),
    env: starterEnv(mkdtempSync(join(tmpdir(), 'csi-agent-home-'))),
  });
  await waitUntil('the agent to register', async () => /registered worker/.test(agent!.tail(50)), { timeoutMs: 60_000, service: agent });
}, { timeout: 180_000 });
after(() => stopInOrder(agent, sw, w));

function rest(path: string, init: RequestInit = {}): Promise<Response> {
  const key = w.env.SUPABASE_SERVICE_ROLE_KEY!;
  return fetch(`${w.env.SUPABASE_URL}/rest/v1/${path}`, { ...init, headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...init.headers } });
}
const setStatus = (status: string) => rest(`signalwire_phone_numbers?number=eq.${encodeURIComponent(NUMBER)}`, { method: 'PATCH', body: JSON.stringify({ status }) });
const check = (args: string[]) => w.cli(['check', '--call', '--yes', '--no-probe', ...args], swEnv);

test('check --call names the settings the starter agent loaded, the greeting with its time, and the logged call', { timeout: 120_000 }, async () => {
  const r = await check([]);
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, `${out}\n${agent!.tail(30)}`);
  assert.match(out, /^    ✓ LiveKit SIP answered \(\d+\.\d s\): the caller was answered \(sip\.callStatus active\)$/m);
  assert.match(out, /^    ✓ Agent loaded the number's settings: agent loaded \+14244851544's settings \(local\/pocketsphinx · local\/scripted · local\/espeak-ng\), call type inbound-qualified$/m);
  assert.match(out, /^    ✓ Agent greeted the caller: greeted \d+(?: ms|\.\d s) after the call reached LiveKit: "[^"]*Ada Lovelace/m);
  assert.match(out, /^    ✓ Interactions row: interaction logged: \d+ turns?, \$0\.0000, inbound-qualified$/m);
  for (const secret of [w.lk.apiSecret, sw.apiToken, w.rest.serviceKey]) assert.ok(!out.includes(secret), 'a secret in the output');
});

test('with the row inactive, check --call --json names the fallback the agent took', { timeout: 120_000 }, async (t) => {
  assert.equal((await setStatus('inactive')).status, 204);
  t.after(async () => void (await setStatus('active')));
  const r = await check(['--json']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as CheckReport;
  const step = report.call!.steps.find((s) => s.title === "Agent loaded the number's settings");
  assert.ok(step, JSON.stringify(report.call, null, 2));
  assert.equal(step.ok, false);
  assert.match(step.detail!, /^the agent used default providers \(local\/pocketsphinx · local\/scripted · local\/espeak-ng\): row inactive/);
  assert.match(step.fix!, /the row for \+14244851544 is inactive/);
  assert.equal(report.call!.steps.find((s) => s.title === 'LiveKit SIP answered')!.ok, true);
});

test('an agent that joins and publishes no audio fails the check: the caller hears ringing', { timeout: 120_000 }, async () => {
  await agent!.stop();
  agent = undefined;
  const silent = await startAgent(w.lk, AGENT, undefined, { silent: true });
  try {
    const r = await w.cli(['check', '--call', '--yes', '--no-probe'], swEnv);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, out);
    assert.match(out, /^    ✓ Agent joined/m);
    assert.match(out, /^    ✗ LiveKit SIP answered: no answer: the caller hears ringing: LiveKit SIP answers only once the agent publishes audio, and this agent published none$/m);
    assert.match(out, /^✗ Test call: the agent joined but LiveKit never answered/m);
    assert.ok(silent.joined().length >= 1, 'the silent agent was dispatched');
  } finally {
    await silent.stop();
  }
});
