// The generated starter agent on the real stack, as a user gets it: the setup creates it in the world's empty
// folder (`--agent python`, the `local` providers), it starts as its README says (`python agent.py start`, with
// the cached environment's python: nothing is installed), and calls reach it with the SWML's URI and login.
// Shared by test/real/starter-agent.test.ts and bench/answer-to-audio.js.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SipDial } from '../stand-ins/sip-dialer.ts';
import { AGENT_PYTHON } from './paths.ts';
import { starterEnv } from './starter.ts';
import { startService, waitUntil, type Service } from './processes.ts';
import { NUMBER, type RealWorld } from './helpers.ts';

export const SETUP_ARGS = ['--yes', '--no-interactive', '--number', NUMBER, '--stt-provider', 'local', '--tts-provider', 'local', '--llm-provider', 'local', '--agent-name', 'inbound-agent', '--agent', 'python', '--no-check'];

export interface RunningAgent {
  service: Service;
  stop(): Promise<void>;
}

/** Starts the agent in `dir`, where the setup wrote it and its .env; maxCalls: AGENT_MAX_CALLS (starter.ts says why). */
export async function startGeneratedAgent(dir: string, maxCalls = 4): Promise<RunningAgent> {
  const temp = mkdtempSync(join(tmpdir(), 'csi-agent-'));
  const env = { ...starterEnv(temp), AGENT_MAX_CALLS: String(maxCalls) };
  const service = startService('agent', AGENT_PYTHON, ['agent.py', 'start'], { cwd: dir, log: join(temp, 'agent.log'), env });
  const stop = async () => {
    await service.stop();
    rmSync(temp, { recursive: true, force: true });
  };
  try {
    await waitUntil('the agent to register', async () => /registered worker/.test(service.tail(50)), { timeoutMs: 60_000, service });
  } catch (err) {
    await stop();
    throw err;
  }
  return { service, stop };
}

/** The SIP call SignalWire would place for the SWML's `connect`, from `from`. */
export async function swmlCall(world: RealWorld, from: string, holdMs: number): Promise<SipDial> {
  const swml = await world.cli(['swml', '--number', NUMBER]);
  if (swml.code !== 0) throw new Error(`swml failed: ${swml.stderr}`);
  const connect = (JSON.parse(swml.stdout) as { sections: { main: Array<{ connect: { to: string; username: string; password: string } }> } }).sections.main[0]!.connect;
  return { uri: connect.to.replace('%{call.to}', NUMBER), from, username: connect.username, password: connect.password, holdMs };
}

/** A request to the PostgREST stand-in with the service-role key. */
export function rest(world: RealWorld, path: string, init: RequestInit = {}): Promise<Response> {
  const key = world.env.SUPABASE_SERVICE_ROLE_KEY!;
  return fetch(`${world.env.SUPABASE_URL}/rest/v1/${path}`, {
    ...init,
    headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...init.headers },
  });
}

export async function insert(world: RealWorld, table: string, row: object): Promise<void> {
  const res = await rest(world, table, { method: 'POST', body: JSON.stringify(row) });
  if (res.status !== 201) throw new Error(`insert into ${table}: ${res.status} ${await res.text()}`);
}
