// Zero typing: the LiveKit CLI's project file fills the LiveKit step (chosen with prompts, default_project
// without), a malformed file is one warning, and the agent's own source prefills AGENT_NAME.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { askLiveKit } from '../../src/steps/livekit.ts';
import { defaultProjectOf, fillFromProject, readLkConfig, sipDomainOf } from '../../src/services/lk-config.ts';
import { findAgentNames } from '../../src/agent-name.ts';
import { liveKitAnswers, script, session } from './helpers.ts';

let lk: LiveKitStandIn;
const dir = mkdtempSync(join(tmpdir(), 'csi-zero-'));
const cfg = join(dir, 'cli-config.yaml');
before(async () => {
  lk = await startLiveKit();
  process.env.LIVEKIT_CLI_CONFIG = cfg;
  process.chdir(mkdtempSync(join(tmpdir(), 'csi-cwd-')));
});
after(() => lk.stop());

// The shape `lk cloud auth` writes (livekit-cli pkg/config/config.go).
const config = (url: string) => `default_project: my-app
default_user: ""
projects:
  - name: other
    project_id: p_zzz999
    url: wss://other-zzz999.livekit.cloud
    api_key: APIother
    api_secret: other-secret-not-real
  - name: my-app
    project_id: p_abc123xyz
    url: ${url}
    api_key: ${lk.apiKey}
    api_secret: ${lk.apiSecret}
device_name: laptop
`;

test('lk config: the projects are read, default_project found; the SIP domain is derived only for *.livekit.cloud', async () => {
  writeFileSync(cfg, config('wss://my-app-abc123xyz.livekit.cloud'));
  const { config: c, warning } = await readLkConfig();
  assert.equal(warning, undefined);
  assert.deepEqual(c!.projects.map((p) => p.name), ['other', 'my-app']);
  const p = defaultProjectOf(c!)!;
  assert.equal(p.name, 'my-app');
  assert.equal(sipDomainOf(p), 'abc123xyz.sip.livekit.cloud');
  assert.equal(sipDomainOf({ ...p, url: 'wss://livekit.example.com' }), undefined, 'self-hosted: no derived SIP host');
  // Below what is set: a key from another project keeps the file out entirely.
  const v1 = { LIVEKIT_API_KEY: 'APIsomeoneelse' };
  assert.deepEqual(fillFromProject(v1, p), []);
  const v2 = { LIVEKIT_URL: 'wss://my-app-abc123xyz.livekit.cloud' };
  assert.deepEqual(fillFromProject(v2, p), ['LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'LIVEKIT_SIP_DOMAIN']);
});

test('with prompts: pick the project, confirm each value with Enter; nothing typed, secrets never shown', async () => {
  writeFileSync(cfg, config(lk.url));
  const s = session();
  const run = script([
    [/LiveKit project \(from .*cli-config\.yaml\)/, (p) => {
      assert.deepEqual(p.options!.map((o) => o.label), ['other', 'my-app', 'Enter them myself']);
      assert.equal(p.initialValue, 'my-app', 'default_project is preselected');
      return '';
    }],
    [/LiveKit URL \(from lk config project `my-app`\)/, ''],
    [/LiveKit API key \(from lk config project `my-app`\)/, ''],
    [/LiveKit API secret \(from lk config project `my-app`\) \(Enter keeps the current one\)/, ''],
    ['LiveKit SIP domain', 'abc123xyz.sip.livekit.cloud'],
    ['Agent name', ''],
  ]);
  await askLiveKit(s);
  run.done();
  assert.equal(s.values.LIVEKIT_URL, lk.url);
  assert.equal(s.values.LIVEKIT_API_SECRET, lk.apiSecret);
  assert.equal(s.origin.LIVEKIT_API_SECRET, 'lk-config');
  for (const a of run.asked) assert.ok(!a.message.includes(lk.apiSecret) && a.initialValue !== lk.apiSecret, 'the secret never shows');
  for (const l of run.logs) assert.ok(!l.includes(lk.apiSecret));
});

test('a LiveKit Cloud project prefills the derived SIP domain, said where it came from', async () => {
  writeFileSync(cfg, config('wss://my-app-abc123xyz.livekit.cloud'));
  const s = session();
  let sip: unknown;
  const run = script([
    ['LiveKit project', 'my-app'],
    ['LiveKit URL', lk.url], // the cloud URL does not exist here: point it at the stand-in
    ['LiveKit API key', ''],
    ['LiveKit API secret', ''],
    [/LiveKit SIP domain \(from lk config project `my-app`\)/, (p) => ((sip = p.initialValue), '')],
    ['Agent name', ''],
  ]);
  await askLiveKit(s);
  run.done();
  assert.equal(sip, 'abc123xyz.sip.livekit.cloud');
  assert.equal(s.values.LIVEKIT_SIP_DOMAIN, 'abc123xyz.sip.livekit.cloud');
});

test('malformed YAML is one warning line and the wizard goes on asking', async () => {
  writeFileSync(cfg, 'projects: [unclosed\n  - name: x: y\n');
  const s = session();
  const run = script(liveKitAnswers(lk));
  await askLiveKit(s);
  run.done();
  const warnings = run.logs.filter((l) => l.startsWith('warn:'));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /is not valid YAML .*ignoring it$/);
  assert.equal(warnings[0]!.split('\n').length, 1);
});

test('agent_name in agent.py prefills the prompt, naming the file and line; node_modules and .venv are skipped', async () => {
  writeFileSync(cfg, '');
  const proj = mkdtempSync(join(tmpdir(), 'csi-agent-'));
  writeFileSync(join(proj, 'agent.py'), 'from livekit import agents\n\n\nif __name__ == "__main__":\n    agents.cli.run_app(agents.WorkerOptions(entrypoint_fnc=entrypoint, agent_name="my-agent"))\n');
  for (const skip of ['node_modules/x', '.venv/lib']) {
    mkdirSync(join(proj, skip), { recursive: true });
    writeFileSync(join(proj, skip, 'other.py'), 'agent_name="not-this-one"\n');
  }
  assert.deepEqual(findAgentNames(proj), [{ name: 'my-agent', file: 'agent.py', line: 5 }]);
  const before = process.cwd();
  process.chdir(proj);
  try {
    const s = session({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, LIVEKIT_SIP_DOMAIN: 'a.sip.livekit.cloud' });
    let prefilled: unknown;
    const run = script([[/Agent name \(from agent\.py:5\)/, (p) => ((prefilled = p.initialValue), '')]]);
    await askLiveKit(s);
    run.done();
    assert.equal(prefilled, 'my-agent');
    assert.equal(s.values.AGENT_NAME, 'my-agent');

    // Without prompts (--yes): taken when exactly one name is found, and said where from.
    const y = session({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, LIVEKIT_SIP_DOMAIN: 'a.sip.livekit.cloud' }, { yes: true, interactive: false });
    await askLiveKit(y);
    assert.equal(y.values.AGENT_NAME, 'my-agent');
    assert.ok(y.notes.some((n) => n.includes('from agent.py:5')), y.notes.join('\n'));

    // Two names: nothing is guessed without a prompt.
    writeFileSync(join(proj, 'worker.ts'), "export default defineAgent({});\ncli.runApp(new ServerOptions({ agent: 'x', agentName: 'node-agent' }));\n");
    const two = session({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, LIVEKIT_SIP_DOMAIN: 'a.sip.livekit.cloud' }, { yes: true, interactive: false });
    await askLiveKit(two);
    assert.equal(two.values.AGENT_NAME, undefined);
    assert.ok(two.notes.some((n) => /several agent_name values .*"my-agent".*"node-agent"/.test(n)), two.notes.join('\n'));
  } finally {
    process.chdir(before);
  }
});
