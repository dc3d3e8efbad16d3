// Writes .env as the user keeps it: atomically (temp file beside the target, then rename), mode 0600, the previous
// file kept as .env.bak, through a symlinked .env to its target, with the owner and group it had. A crash at any
// point leaves the old file or the new one; a temp file left by a killed run is swept by the next one.
import {
  accessSync,
  chmodSync,
  constants,
  closeSync,
  existsSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ServiceError, UsageError } from '../errors.js';

const isRoot = () => process.getuid?.() === 0;

// Temp files of this run, removed on any exit (an exception, process.exit after a signal).
const pending = new Set<string>();
let hooked = false;
export function removeOnExit(path: string): void {
  pending.add(path);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const p of pending) rmSync(p, { force: true });
  });
}

/** `<file>.tmp-<pid>`: beside the file, so the rename is atomic and `.env*` ignore patterns cover it. */
export function tempPathFor(path: string, pid = process.pid): string {
  return `${path}.tmp-${pid}`;
}

/** Whether a process with this pid exists (EPERM: it does, run by another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files that runs which no longer exist left beside `path` (and beside its symlink target). */
export function sweepStaleTemps(path: string): string[] {
  const swept: string[] = [];
  for (const file of new Set([path, resolveLinks(path)])) {
    const dir = dirname(file);
    const base = basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Ours (.env.tmp-<pid>, .env.bak.tmp-<pid>) and the older .<name>.<pid>.tmp.
    const ours = new RegExp(`^(?:${base}(?:\\.bak)?\\.tmp-(\\d+)|\\.${base}\\.(\\d+)\\.tmp)$`);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = ours.exec(name);
      const pid = Number(m?.[1] ?? m?.[2]);
      if (!m || pid === process.pid || alive(pid)) continue;
      rmSync(join(dir, name), { force: true });
      swept.push(join(dir, name));
    }
  }
  return swept;
}

/** The file a path finally names, following symlinks even when the last one dangles (the file is made there). */
export function resolveLinks(path: string): string {
  let p = path;
  for (let i = 0; i < 40; i++) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw new UsageError(`${path} is a loop of symbolic links; point it at a file`);
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Writes `data` to `path` by a temp file and a rename: a symlink at `path` is replaced, never written through. */
function writeAtomically(path: string, data: string | Buffer, owner: { uid: number; gid: number } | undefined): void {
  const tmp = tempPathFor(path);
  removeOnExit(tmp);
  try {
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600); // openSync's mode is filtered by the umask
      if (owner) fchownSync(fd, owner.uid, owner.gid);
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      for (let done = 0; done < buf.length; ) done += writeSync(fd, buf, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
    pending.delete(tmp);
  }
}

/** Why the file could not be written, found before anything is asked: a missing or read-only folder, or a read-only file. */
export function envPathProblem(path: string): { kind: 'no-folder' | 'folder' | 'file'; folder: string; message: string } | undefined {
  const target = resolveLinks(path);
  const folder = dirname(resolve(target));
  const dir = statOf(folder);
  if (!dir) return { kind: 'no-folder', folder, message: `The folder ${folder} (for ${path}) does not exist: create it (mkdir -p ${shellWord(folder)}) or pass -f another file` };
  if (!dir.isDirectory()) return { kind: 'folder', folder, message: `${folder} (for ${path}) is not a folder: pass -f a file in a folder` };
  // Root may write anywhere; a folder or file with no write bit at all is still taken as the owner's "no".
  if ((dir.mode & 0o222) === 0 || (!isRoot() && !canWriteIn(folder)))
    return { kind: 'folder', folder, message: `The folder ${folder} is read-only: make it writable (chmod u+w ${shellWord(folder)}) or pass -f a file elsewhere; nothing was changed` };
  const st = statOf(target);
  if (st && ((st.mode & 0o222) === 0 || (!isRoot() && !writable(target))))
    return { kind: 'file', folder, message: `${path} is read-only (mode ${octal(st.mode)}): make it writable (chmod u+w ${shellWord(path)}) or pass -f another file; nothing was changed` };
  return undefined;
}

const shellWord = (p: string) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

function canWriteIn(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function writeEnvFile(path: string, text: string): void {
  const target = resolveLinks(path);
  const st = statOf(target);
  if (st && ((st.mode & 0o222) === 0 || (!isRoot() && !writable(target))))
    throw new UsageError(`${path} is read-only (mode ${octal(st.mode)}): make it writable (chmod u+w ${path}) or pass -f another file; nothing was changed`);
  sweepStaleTemps(path);
  // Keep the owner and group it had; a new file made under sudo goes to the owner of its directory.
  const dirOwner = statOf(dirname(target));
  const owner = st ? { uid: st.uid, gid: st.gid } : isRoot() && dirOwner ? { uid: dirOwner.uid, gid: dirOwner.gid } : undefined;
  const own = owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.()) ? owner : undefined;
  try {
    if (st) writeAtomically(`${path}.bak`, readFileSync(target), own);
    writeAtomically(target, text, own);
    syncDir(dirname(target));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EPERM' && own ? `cannot keep its owner (uid ${own.uid}) without root` : code ?? (err as Error).message;
    throw new ServiceError('File', `Could not write ${path}: ${why}; it was left as it was`, { cause: err });
  }
}

function writable(path: string): boolean {
  try {
    closeSync(openSync(path, 'r+'));
    return true;
  } catch {
    return false;
  }
}

/** The rename is durable only once the directory is synced (best effort: not every system allows it). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // A failed directory sync loses durability, not correctness.
  }
}

/**
 * Secrets files readable by others (a 0644 .env) become owner-only, even when nothing else changes.
 * Returns one line for each file tightened.
 */
export function tightenSecretFiles(paths: string[]): string[] {
  const said: string[] = [];
  for (const path of paths) {
    const st = statOf(path);
    if (!st?.isFile() || (st.mode & 0o077) === 0) continue;
    const mode = st.mode & 0o700;
    chmodSync(path, mode);
    said.push(`${path} was readable by other users (${octal(st.mode)}); it is now ${octal(mode)} (owner only).`);
  }
  return said;
}

/** Those of `paths` (existing files) that sit in a git work tree and are not ignored: secrets git would commit. */
export async function notIgnoredByGit(paths: string[]): Promise<string[]> {
  const { execa } = await import('execa');
  const found: string[] = [];
  for (const path of paths.filter((p) => existsSync(p))) {
    const cwd = dirname(path);
    const inside = await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd, reject: false });
    if (inside.exitCode !== 0 || inside.stdout.trim() !== 'true') continue;
    const ignored = await execa('git', ['check-ignore', '-q', basename(path)], { cwd, reject: false });
    if (ignored.exitCode === 1) found.push(path);
  }
  return found;
}
