// Starts the real agent worker (test/real/agent/worker.mjs, @livekit/agents) against a LiveKit server and
// resolves once the server has registered it. joined()/left() read its one-line events.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AGENT_DIR, requireInstalled } from './paths.ts';
import { freeTcpPort, startService, waitUntil, type Service } from './processes.ts';

export interface AgentWorker {
  agentName: string | undefined;
  service: Service;
  /** Rooms the agent joined so far (in order). */
  joined(): string[];
  /** Rooms the agent left because the caller left (or the room went away). */
  left(): string[];
  stop(): Promise<void>;
}

/** supabase: where the agent writes each call's `interactions` row (none without it); silent: it publishes no audio. */
export async function startAgent(
  lk: { url: string; apiKey: string; apiSecret: string },
  agentName?: string,
  supabase?: { url: string; serviceKey: string },
  o: { silent?: boolean } = {},
): Promise<AgentWorker> {
  requireInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'csi-agent-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), 'csi-agent-home-')),
    LIVEKIT_URL: lk.url.replace(/^http/, 'ws'),
    LIVEKIT_API_KEY: lk.apiKey,
    LIVEKIT_API_SECRET: lk.apiSecret,
    LIVEKIT_AGENT_NAME: agentName ?? '',
    // Its health server: without a port of its own it takes 8081, and a second worker could not start.
    AGENT_HTTP_PORT: String(await freeTcpPort()),
    NO_COLOR: '1',
    ...(o.silent ? { TEST_AGENT_SILENT: '1' } : {}),
    ...(supabase ? { SUPABASE_URL: supabase.url, SUPABASE_SERVICE_ROLE_KEY: supabase.serviceKey } : {}),
  };
  const service = startService(`agent ${agentName ?? '(automatic)'}`, process.execPath, [join(AGENT_DIR, 'worker.mjs'), 'start'], { env, log: join(dir, 'agent.log'), cwd: AGENT_DIR });
  const log = () => {
    try {
      return readFileSync(service.log, 'utf8');
    } catch {
      return '';
    }
  };
  const events = (kind: string) =>
    [...log().matchAll(/test-agent (\{.*\})/g)].map((m) => JSON.parse(m[1]!) as { event: string; room: string }).filter((e) => e.event === kind).map((e) => e.room);
  const stop = async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('the agent worker did not register', async () => /registered worker/.test(log()), { service, timeoutMs: 30_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { agentName, service, joined: () => events('joined'), left: () => events('left'), stop };
}
