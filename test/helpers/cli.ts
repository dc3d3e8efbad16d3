// Runs the built binary (dist/ must be built: npm test does that first) as a user would, without a TTY.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/create-sip-inbound.js', import.meta.url));

let home: string | undefined;

/**
 * The environment every spawned run starts from: PATH, an empty HOME of its own (removed when the test
 * process exits) and LIVEKIT_CLI_CONFIG pointing nowhere, so neither the developer's shell nor a real
 * ~/.livekit/cli-config.yaml on the machine leaks in. A test that gives HOME (a fake home holding a
 * config) keeps the config lookup under that HOME.
 */
export function isolatedEnv(extra: Record<string, string | undefined> = {}, base: Record<string, string> = {}): Record<string, string> {
  if (!home) {
    const dir = mkdtempSync(join(tmpdir(), 'csi-home-'));
    home = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, ...base };
  if (extra.HOME === undefined) env.LIVEKIT_CLI_CONFIG = '/nonexistent/.livekit/cli-config.yaml';
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Collected extends RunResult {
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived. */
  out: string;
}

/** Everything a child prints until it closes; `onOutput` sees both streams, interleaved, as they grow. */
export function collect(child: ChildProcess, onOutput?: (all: string) => void, input?: string): Promise<Collected> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let out = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
      out += d;
      onOutput?.(out);
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
      out += d;
      onOutput?.(out);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, out }));
    if (child.stdin) child.stdin.end(input ?? '');
  });
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string; nodeArgs?: string[] } = {},
): Promise<RunResult> {
  // A clean environment: nothing from the developer's shell (a real LIVEKIT_URL, say) or home leaks in.
  const env = isolatedEnv(opts.env, { NO_COLOR: '1' });
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { cwd: opts.cwd, env, stdio: 'pipe' });
  return collect(child, undefined, opts.input);
}

/**
 * `check …` from source (node --import tsx, no build) with only these variables: nothing from the developer's
 * shell. `onOutput` sees stdout and stderr as they grow, and the child (to signal it).
 */
export function checkFromSource(
  args: string[],
  values: Record<string, string | undefined>,
  onOutput?: (all: string, child: ChildProcess) => void,
): Promise<Collected> {
  const env = isolatedEnv({ NO_COLOR: '1' });
  for (const [k, v] of Object.entries(values)) if (v !== undefined) env[k] = v;
  const script = `import('./src/cli.ts').then((m) => m.main(${JSON.stringify(['check', ...args])}))`;
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, onOutput && ((all) => onOutput(all, child)));
}
