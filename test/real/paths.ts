// Where the real LiveKit pieces live once `bash scripts/install-livekit.sh` has run, their pinned versions,
// and what is missing. The binaries are built from the Go module proxy into .cache/livekit/ (git-ignored).
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Keep in step with scripts/install-livekit.sh. */
export const VERSIONS = { server: 'v1.13.5', sip: 'v1.8.0', agents: '1.9.0' } as const;

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN_DIR = join(ROOT, '.cache', 'livekit', 'bin');
export const SERVER_BIN = join(BIN_DIR, `livekit-server-${VERSIONS.server}`);
export const SIP_BIN = join(BIN_DIR, `livekit-sip-${VERSIONS.sip}`);
export const AGENT_DIR = fileURLToPath(new URL('./agent/', import.meta.url));
export const INSTALL_COMMAND = 'bash scripts/install-livekit.sh';
/** The starter agent's template and the Python environment scripts/install-agent.sh builds for it. */
export const AGENT_TEMPLATE = join(ROOT, 'templates', 'agent', 'python');
export const AGENT_PYTHON = join(ROOT, '.cache', 'agent-venv', 'bin', 'python');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

export const which = (name: string): string => onPath(name) ?? name;

/** What the real-LiveKit tests need and this machine lacks, by name. */
export function missingPieces(): string[] {
  const missing: string[] = [];
  if (!existsSync(SERVER_BIN)) missing.push(`livekit-server ${VERSIONS.server}`);
  if (!existsSync(SIP_BIN)) missing.push(`livekit-sip ${VERSIONS.sip}`);
  if (!onPath('redis-server')) missing.push('redis-server');
  if (!onPath('sipp')) missing.push('sipp (sip-tester)');
  if (!existsSync(join(AGENT_DIR, 'node_modules', '@livekit', 'agents', 'package.json'))) missing.push(`@livekit/agents ${VERSIONS.agents}`);
  return missing;
}

/** Throws one line naming what is missing and the command that installs it. */
export function requireInstalled(): void {
  const missing = missingPieces();
  if (missing.length) throw new Error(`The real LiveKit stack is not installed (missing: ${missing.join(', ')}): run ${INSTALL_COMMAND}`);
}
