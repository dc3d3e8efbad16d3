// The starter agent on a real call: the setup runs in an empty folder with the `local` providers, the
// template is copied in as the setup would generate it, a lead is added, the agent starts from the installed
// environment as its README says, and SIPp calls with the SWML's login. LiveKit answers only once the agent
// publishes audio; the agent writes the call's `interactions` row when the caller hangs up.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AGENT_PYTHON, AGENT_TEMPLATE } from './paths.ts';
import { startService, waitUntil, type Service } from './processes.ts';
import { realSipDialer } from './sip-dialer.ts';
import { CALLER, NUMBER, startRealWorld, waitFor, type RealWorld } from './helpers.ts';

let world: RealWorld;
let agent: Service | undefined;
before(async () => {
  world = await startRealWorld();
}, { timeout: 60_000 });
after(async () => {
  await agent?.stop();
  await world?.stop();
});

const rest = (path: string, init: RequestInit = {}) =>
  fetch(`${world.env.SUPABASE_URL}/rest/v1/${path}`, {
    ...init,
    headers: { apikey: world.env.SUPABASE_SERVICE_ROLE_KEY!, Authorization: `Bearer ${world.env.SUPABASE_SERVICE_ROLE_KEY}`, 'Content-Type': 'application/json', ...init.headers },
  });

interface Interaction {
  phone_number: string;
  caller_number: string;
  call_type: string;
  providers: Record<string, string>;
  transcript: Array<{ role: string; text: string }>;
  call_id: string;
}

async function call(from: string): Promise<Interaction> {
  const swml = await world.cli(['swml', '--number', NUMBER]);
  assert.equal(swml.code, 0, swml.stderr);
  const connect = (JSON.parse(swml.stdout) as { sections: { main: Array<{ connect: { to: string; username: string; password: string } }> } }).sections.main[0]!.connect;
  const answer = await realSipDialer({ uri: connect.to.replace('%{call.to}', NUMBER), from, username: connect.username, password: connect.password, holdMs: 5_000 });
  assert.equal(answer.code, 200, `${answer.code} ${answer.reason}: the agent never published audio (${agent?.tail(5)})`);
  await answer.ended;
  return waitFor(`the interactions row for the call from ${from}`, async () => {
    const rows = (await (await rest(`interactions?select=*&caller_number=eq.${encodeURIComponent(from)}`)).json()) as Interaction[];
    return rows[0];
  }, 30_000);
}

test('a lead calls: the agent loads the number row, greets the lead by name, and logs an inbound-qualified call', { timeout: 240_000 }, async () => {
  const setup = await world.cli(['--yes', '--no-interactive', '--number', NUMBER, '--stt-provider', 'local', '--tts-provider', 'local', '--llm-provider', 'local', '--agent-name', 'inbound-agent', '--no-check']);
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  const dir = world.cwd;
  cpSync(AGENT_TEMPLATE, dir, { recursive: true, filter: (p) => !/__pycache__|\.pytest_cache/.test(p) });
  const lead = await rest('leads', { method: 'POST', body: JSON.stringify({ phone: CALLER, name: 'Ada Lovelace', qualified: true }) });
  assert.equal(lead.status, 201, await lead.text());

  // As its README says: python agent.py start, in the folder whose .env the setup wrote.
  agent = startService('agent', AGENT_PYTHON, ['agent.py', 'start'], { cwd: dir, log: join(mkdtempSync(join(tmpdir(), 'csi-agent-')), 'agent.log'), env: { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'csi-agent-home-')), AGENT_MAX_CALLS: '4', AGENT_HTTP_HOST: '127.0.0.1', AGENT_HTTP_PORT: '0' } });
  await waitUntil('the agent to register', async () => /registered worker/.test(agent!.tail(50)), { timeoutMs: 60_000, service: agent });

  const row = await call(CALLER);
  assert.equal(row.phone_number, NUMBER);
  assert.equal(row.caller_number, CALLER);
  assert.equal(row.call_type, 'inbound-qualified');
  assert.deepEqual(row.providers, { stt: 'local/pocketsphinx', llm: 'local/scripted', tts: 'local/espeak-ng', settings: 'row' });
  assert.equal(row.transcript[0]!.role, 'assistant');
  assert.match(row.transcript[0]!.text, /Ada Lovelace/);

  const unknown = await call('+16505550177');
  assert.equal(unknown.call_type, 'inbound-unknown');
  assert.match(unknown.transcript[0]!.text, /Who am I speaking with\?/);
  assert.notEqual(unknown.call_id, row.call_id);
});
