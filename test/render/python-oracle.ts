// The real python-dotenv as a test oracle: one python3 process reads a batch of files and prints what
// dotenv_values() returns for each, with and without interpolation.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PyReading {
  raw: Record<string, string | null>;
  resolved: Record<string, string | null>;
  /** Lines python-dotenv could not parse (it skips them with a warning). */
  errors: number;
}

const SCRIPT = `
import json, logging, sys
logging.disable(logging.CRITICAL)
try:
    from dotenv.main import resolve_variables
    from dotenv.parser import parse_stream
    from importlib.metadata import version
except ImportError:
    sys.stderr.write("python-dotenv is not importable\\n")
    sys.exit(3)
paths = json.load(sys.stdin)
out = {"version": version("python-dotenv"), "files": []}
for p in paths:
    # What dotenv_values(p, interpolate=False) and dotenv_values(p) return, from one read of the file
    # (as DotEnv.parse does it), and how many lines python-dotenv could not parse.
    with open(p, encoding="utf-8") as f:
        bindings = list(parse_stream(f))
    pairs = [(b.key, b.value) for b in bindings if b.key is not None]
    out["files"].append({"raw": dict(pairs), "resolved": dict(resolve_variables(pairs, override=True)), "errors": sum(b.error for b in bindings)})
sys.stdout.write(json.dumps(out))
`;

/** Thousands of small files: in memory when the machine has it (a busy disk makes this minutes, not seconds). */
export const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** Reads every text with python-dotenv; rejects with one clear line when python3 or python-dotenv is missing. */
export async function readWithPython(texts: string[]): Promise<{ version: string; files: PyReading[] }> {
  const dir = mkdtempSync(join(scratch, 'csi-pydotenv-'));
  try {
    const paths = texts.map((t, i) => {
      const p = join(dir, `${i}.env`);
      writeFileSync(p, t);
      return p;
    });
    // A clean environment, so ${…} in a generated file resolves the same on every machine.
    const child = spawn('python3', ['-c', SCRIPT], { env: { PATH: process.env.PATH ?? '' }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(JSON.stringify(paths));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`python3 could not be started (${err.code}): install Python 3`)));
      child.on('close', resolve);
    });
    if (status === 3) throw new Error('python-dotenv is not importable: run python3 -m pip install -r test/requirements.txt');
    if (status !== 0) throw new Error(`python3 failed (${status}): ${stderr.trim().split('\n').at(-1)}`);
    return JSON.parse(stdout) as { version: string; files: PyReading[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
