// The starter agent on real calls, as a user gets it: the setup runs non-interactively in an empty folder with
// `--agent python` and the `local` providers and generates the agent; a lead and the prompts are added; the agent
// starts as its README says (`python agent.py start`, with the cached environment's python: nothing is
// installed); SIPp calls with the SWML's login, and this side hears the audio LiveKit sends the caller. LiveKit
// answers only once the agent publishes audio; the agent writes the call's `interactions` row at the hang-up.
// One agent process takes both calls, the lead's and an unknown caller's.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dialAndListen } from './caller-audio.ts';
import { AGENT_PYTHON } from './paths.ts';
import { startService, waitUntil, type Service } from './processes.ts';
import { CALLER, NUMBER, startRealWorld, waitFor, type RealWorld } from './helpers.ts';

const UNKNOWN_CALLER = '+16505550177';
// The unknown caller's greeting, from the database (the built-in one differs): proof the agent used that prompt.
const UNKNOWN_GREETING = 'Hello, you have reached the test line. May I have your name?';

let world: RealWorld;
let agent: Service | undefined;
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
before(async () => {
  world = await startRealWorld();
}, { timeout: 60_000 });
after(async () => {
  await agent?.stop();
  await world?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const rest = (path: string, init: RequestInit = {}) =>
  fetch(`${world.env.SUPABASE_URL}/rest/v1/${path}`, {
    ...init,
    headers: { apikey: world.env.SUPABASE_SERVICE_ROLE_KEY!, Authorization: `Bearer ${world.env.SUPABASE_SERVICE_ROLE_KEY}`, 'Content-Type': 'application/json', ...init.headers },
  });

async function insert(table: string, row: object): Promise<void> {
  const res = await rest(table, { method: 'POST', body: JSON.stringify(row) });
  assert.equal(res.status, 201, `${table}: ${await res.text()}`);
}

interface Interaction {
  phone_number: string;
  caller_number: string;
  call_type: string;
  providers: Record<string, string>;
  transcript: Array<{ role: string; text: string }>;
  call_id: string;
}

/** A real call from `from` with the SWML's URI and login; resolves with its row and what the caller heard. */
async function call(from: string) {
  const swml = await world.cli(['swml', '--number', NUMBER]);
  assert.equal(swml.code, 0, swml.stderr);
  const connect = (JSON.parse(swml.stdout) as { sections: { main: Array<{ connect: { to: string; username: string; password: string } }> } }).sections.main[0]!.connect;
  const answer = await dialAndListen({ uri: connect.to.replace('%{call.to}', NUMBER), from, username: connect.username, password: connect.password, holdMs: 5_000 });
  assert.equal(answer.code, 200, `${answer.code} ${answer.reason}: the agent never published audio (${agent?.tail(5)})`);
  await answer.ended;
  const row = await waitFor(`the interactions row for the call from ${from}`, async () => {
    const rows = (await (await rest(`interactions?select=*&caller_number=eq.${encodeURIComponent(from)}`)).json()) as Interaction[];
    return rows[0];
  }, 30_000);
  return { row, audio: answer.audio, answeredAt: answer.answeredAt };
}

test('the setup creates the agent; a lead calls: it loads the number row, greets the lead by name, the caller hears it, and the call is logged inbound-qualified', { timeout: 180_000 }, async (t) => {
  const setup = await world.cli(['--yes', '--no-interactive', '--number', NUMBER, '--stt-provider', 'local', '--tts-provider', 'local', '--llm-provider', 'local', '--agent-name', 'inbound-agent', '--agent', 'python', '--no-check']);
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  const dir = world.cwd;
  for (const file of ['agent.py', 'requirements.txt', 'README-agent.md', 'inbound/calls.py']) assert.ok(existsSync(join(dir, file)), `the setup did not create ${file}:\n${setup.stdout}`);
  await insert('leads', { phone: CALLER, name: 'Ada Lovelace', qualified: true });
  await insert('call_prompts', { call_type: 'inbound-unknown', greeting: UNKNOWN_GREETING, instructions: 'Ask the caller for their name.' });

  // As its README says: python agent.py start, in the folder whose .env the setup wrote. The call cap makes the
  // worker report its calls, not this shared machine's CPU (a busy CPU gets a worker sent no call at all).
  const env = { PATH: process.env.PATH, HOME: tempDir('csi-agent-home-'), AGENT_MAX_CALLS: '4', AGENT_HTTP_HOST: '127.0.0.1', AGENT_HTTP_PORT: '0' };
  agent = startService('agent', AGENT_PYTHON, ['agent.py', 'start'], { cwd: dir, log: join(tempDir('csi-agent-'), 'agent.log'), env });
  await waitUntil('the agent to register', async () => /registered worker/.test(agent!.tail(50)), { timeoutMs: 60_000, service: agent });

  const { row, audio, answeredAt } = await call(CALLER);
  assert.equal(row.phone_number, NUMBER);
  assert.equal(row.caller_number, CALLER);
  assert.equal(row.call_type, 'inbound-qualified');
  assert.deepEqual(row.providers, { stt: 'local/pocketsphinx', llm: 'local/scripted', tts: 'local/espeak-ng', settings: 'row' });
  assert.equal(row.transcript[0]!.role, 'assistant');
  assert.match(row.transcript[0]!.text, /Ada Lovelace/);
  // Half a second of sound at least (25 packets of 20 ms): the greeting, not a click.
  assert.ok(audio.soundPackets >= 25, `the caller heard ${audio.soundPackets} packets with sound of ${audio.packets} (peak ${audio.peak})`);
  t.diagnostic(`the caller heard ${audio.soundPackets} of ${audio.packets} RTP packets with sound, peak ${audio.peak}`);
  if (answeredAt !== undefined && audio.firstSoundAt !== undefined) t.diagnostic(`answer → first sound at the caller: ${Math.round(audio.firstSoundAt - answeredAt)} ms`);
});

test('an unknown number calls the same agent: inbound-unknown, greeted with the unknown-caller prompt', { timeout: 120_000 }, async () => {
  assert.ok(agent, 'the agent did not start (see the test before)');
  const { row, audio } = await call(UNKNOWN_CALLER);
  assert.equal(row.call_type, 'inbound-unknown');
  assert.equal(row.caller_number, UNKNOWN_CALLER);
  assert.equal(row.transcript[0]!.role, 'assistant');
  assert.equal(row.transcript[0]!.text, UNKNOWN_GREETING);
  assert.ok(audio.soundPackets >= 25, `the caller heard ${audio.soundPackets} packets with sound of ${audio.packets}`);
});
