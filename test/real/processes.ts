// Long-running helper processes for the real-LiveKit tests: each runs in its own process group behind a
// small shell guard that ends it when this Node process disappears (even by SIGKILL, when no 'exit' hook
// can run), and an 'exit' hook kills every group still alive. Free loopback ports come from the kernel.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { dirname } from 'node:path';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Service {
  name: string;
  child: ChildProcess;
  log: string;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const alive = new Set<ChildProcess>();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of alive) killGroup(c, 'SIGKILL');
  });
}

function killGroup(c: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (c.pid) process.kill(-c.pid, signal);
  } catch {}
}

// The guard: start the command, then poll the parent (this Node process); when it is gone, end the command.
const GUARD = 'p=$1; shift; "$@" & c=$!; trap \'kill -TERM $c 2>/dev/null; wait $c; exit\' TERM INT; ' +
  'while kill -0 $p 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 0.5; done; kill -TERM $c 2>/dev/null; wait $c';

export function startService(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; log: string; cwd?: string; keepAlive?: boolean }): Service {
  hookExit();
  const out = createWriteStream(opts.log, { flags: 'a' });
  const child = spawn('sh', ['-c', GUARD, 'guard', String(process.pid), cmd, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Never the real HOME: a service given no environment gets its log's (temporary) folder as its home.
    env: opts.env ?? { ...process.env, HOME: dirname(opts.log) },
    cwd: opts.cwd,
  });
  alive.add(child);
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      alive.delete(child);
      out.end();
      resolve(code);
    }),
  );
  // A server does not keep this process alive for its own sake; a call (keepAlive) does until it ends.
  if (!opts.keepAlive) child.unref();
  return {
    name,
    child,
    log: opts.log,
    exited,
    tail(lines = 15) {
      try {
        return readFileSync(opts.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop() {
      if (!alive.has(child)) return;
      killGroup(child, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        killGroup(child, 'SIGKILL');
        await exited;
      }
    },
  };
}

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/** A port free for both TCP and UDP on loopback (SIP listens on both). */
export async function freeTcpUdpPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freeTcpPort();
    if (await udpFree(port)) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}

export async function freeUdpPort(): Promise<number> {
  return freeTcpUdpPort();
}

/** `count` consecutive UDP ports, starting even (RTP/RTCP pairs), none in use right now. */
export async function freeUdpRange(count: number): Promise<{ start: number; end: number }> {
  for (let i = 0; i < 50; i++) {
    const start = 20000 + 2 * Math.floor(Math.random() * 10000);
    let ok = true;
    for (let p = start; p < start + count && ok; p++) ok = await udpFree(p);
    if (ok) return { start, end: start + count - 1 };
  }
  throw new Error(`no ${count} consecutive free UDP ports`);
}

/** Polls `ok` until it is true; fails naming `what` and the service's log tail. */
export async function waitUntil(what: string, ok: () => Promise<boolean>, opts: { timeoutMs?: number; service?: Service } = {}): Promise<void> {
  const end = Date.now() + (opts.timeoutMs ?? 20_000);
  let exited = false;
  void opts.service?.exited.then(() => (exited = true));
  while (Date.now() < end) {
    if (exited) break;
    if (await ok().catch(() => false)) return;
    await sleep(100);
  }
  const tail = opts.service ? `\n--- ${opts.service.name} log (${opts.service.log}) ---\n${opts.service.tail()}` : '';
  throw new Error(`${what}: ${exited ? 'the process exited' : 'timed out'}${tail}`);
}
