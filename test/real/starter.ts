// Starts the generated starter agent (templates/agent/python, as `--agent python` writes it) from the Python
// environment scripts/install-agent.sh builds, in a folder of its own, and resolves once LiveKit registered it.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { agentFiles } from '../../src/steps/agent.ts';
import { AGENT_PYTHON, which } from './paths.ts';
import { startService, waitUntil, type Service } from './processes.ts';

/** What the starter agent needs and is missing here: its Python environment, and espeak-ng for its local voice. */
export function starterMissing(): string[] {
  const missing: string[] = [];
  if (!existsSync(AGENT_PYTHON)) missing.push('the agent\'s Python environment (.cache/agent-venv)');
  if (which('espeak-ng') === 'espeak-ng') missing.push('espeak-ng');
  return missing;
}

/**
 * The environment a worker needs besides its folder's .env. AGENT_MAX_CALLS: a busy test machine's CPU load must
 * not stop dispatch; and a job counts until its room closes (about 20 s after a call, probes included), so several
 * checks in a row hold several jobs at once: the cap leaves room for them.
 */
export function starterEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, AGENT_MAX_CALLS: '20', AGENT_HTTP_HOST: '127.0.0.1', AGENT_HTTP_PORT: '0' };
}

/** The agent in `folder` (written there first when `write`), started as its README says: python agent.py start. */
export async function startStarterAgent(o: {
  folder?: string;
  agentName: string;
  env?: Record<string, string>;
  log: string;
}): Promise<Service> {
  const folder = o.folder ?? mkdtempSync(join(tmpdir(), 'csi-starter-'));
  for (const [rel, text] of agentFiles(folder, o.agentName)) {
    mkdirSync(dirname(join(folder, rel)), { recursive: true });
    writeFileSync(join(folder, rel), text);
  }
  const home = mkdtempSync(join(tmpdir(), 'csi-agent-home-'));
  const agent = startService('starter agent', AGENT_PYTHON, ['agent.py', 'start'], { cwd: folder, log: o.log, env: { ...starterEnv(home), ...o.env } });
  try {
    await waitUntil('the starter agent to register', async () => /registered worker/.test(agent.tail(50)), { timeoutMs: 90_000, service: agent });
  } catch (err) {
    await agent.stop();
    throw err;
  }
  return agent;
}
