// Writes .env atomically (temp file + rename) with mode 0600, keeping the previous file as .env.bak.
// A crash at any point leaves either the old file or the new one, never half of either.
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ServiceError } from '../errors.js';

export function writeEnvFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    if (existsSync(path)) {
      copyFileSync(path, `${path}.bak`);
      chmodSync(`${path}.bak`, 0o600);
    }
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600); // openSync's mode is filtered by the umask
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ServiceError('File', `Could not write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; it was left as it was`, {
      cause: err,
    });
  }
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
