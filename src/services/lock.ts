// One run at a time per project: a lock file beside .env (`.env.lock`, covered by `.env*` ignore patterns) holds
// the pid and start time of the run that changes things. A second run waits briefly, then says who holds it; a
// lock whose process is gone is taken over. The lock goes on every exit.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { ServiceError } from '../errors.js';
import { alive } from './env-file.js';

export interface LockInfo {
  pid: number;
  /** ISO time the holder took the lock. */
  since: string;
}

export interface Lock {
  path: string;
  release(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function readLock(path: string): { info?: LockInfo; raw: string } | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  try {
    const info = JSON.parse(raw) as LockInfo;
    return Number.isInteger(info.pid) && info.pid > 0 ? { info, raw } : { raw };
  } catch {
    return { raw }; // half-written by a holder that was killed at that instant: treat as stale
  }
}

function create(path: string, info: LockInfo): boolean {
  // Written whole beside it, then linked into place: link() fails with EEXIST like O_EXCL, and the lock never
  // exists empty, so a racing run cannot mistake a lock being written for a half-written stale one and remove it.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(draft, JSON.stringify(info), { mode: 0o600, flag: 'wx' });
    linkSync(draft, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ServiceError('File', `Could not create the lock ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Removes a stale lock, unless it changed since it was read. The check and the removal happen under a
 * second O_EXCL file, so two runs taking over the same stale lock cannot remove each other's new one.
 */
function removeStale(path: string, seen: string): boolean {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch {
    // Another run is taking over; a guard left by a run killed in those microseconds is cleared by age.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { force: true });
    } catch {
      // gone already
    }
    return false;
  }
  try {
    if (readLock(path)?.raw === seen) rmSync(path, { force: true });
  } finally {
    closeSync(fd);
    rmSync(guard, { force: true });
  }
  return true;
}

/**
 * Takes the lock at `path`, waiting up to `waitMs` while another live run holds it; then throws one line
 * naming the holder. The lock is released by `release()` or, at the latest, when the process exits.
 */
export async function takeLock(path: string, opts: { waitMs?: number; pollMs?: number } = {}): Promise<Lock> {
  const waitMs = opts.waitMs ?? 5000;
  const pollMs = opts.pollMs ?? 100;
  const mine: LockInfo = { pid: process.pid, since: new Date().toISOString() };
  const deadline = Date.now() + waitMs;
  let holder: LockInfo | undefined;
  for (;;) {
    if (create(path, mine)) break;
    const seen = readLock(path);
    if (seen && (!seen.info || !alive(seen.info.pid))) {
      if (!removeStale(path, seen.raw)) await sleep(10);
      continue;
    }
    holder = seen?.info;
    if (Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid}, since ${holder.since.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : 'another run';
      throw new ServiceError(
        'File',
        `Another create-sip-inbound run (${who}) is changing this project; wait for it to finish, or if that process is gone, delete ${path}`,
      );
    }
    await sleep(pollMs);
  }
  const release = () => {
    // Only our own lock: a lock taken over after ours was removed by hand belongs to someone else.
    if (readLock(path)?.info?.pid === process.pid) rmSync(path, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return { path, release };
}

/** The lock beside an env file: `.env` → `.env.lock`. */
export const lockPathFor = (envFile: string) => `${envFile}.lock`;

/** Takes the project's lock (beside its .env) and sweeps temp files that killed runs left there. */
export async function lockProject(envFile: string): Promise<Lock> {
  const lock = await takeLock(lockPathFor(envFile));
  const { sweepStaleTemps } = await import('./env-file.js');
  sweepStaleTemps(envFile);
  return lock;
}
