// Property tests of the .env merge: ≥ 10,000 generated files per run (seeded; ENV_FUZZ_SEED / ENV_FUZZ_COUNT
// override), each merged, then read back by dotenv and by the real python-dotenv, and written through the real
// writer. A failing case is minimised by dropping lines before it is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { mergeEnv, NEW_KEYS_HEADER } from '../../src/render/env.ts';
import { pythonParse } from '../../src/render/env-python.ts';
import { writeEnvFile } from '../../src/services/env-file.ts';
import { UsageError } from '../../src/errors.ts';
import { fileOf, generate, prng, type Case } from './env-fuzz.ts';
import { readWithPython, scratch, type PyReading } from './python-oracle.ts';

const SEED = Number(process.env.ENV_FUZZ_SEED ?? 20240612);
const COUNT = Number(process.env.ENV_FUZZ_COUNT ?? 10_000);

type Outcome = { kind: 'merged'; text: string } | { kind: 'refused'; message: string };

function merge(c: Case): Outcome {
  try {
    return { kind: 'merged', text: mergeEnv(fileOf(c), c.updates).text };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { kind: 'refused', message: err.message };
  }
}

/** Every way we know to quote a value in a .env, for checking that a value refused as uncarriable really is. */
function forms(v: string): string[] {
  const esc = (s: string, q: string) => s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`);
  const lines = (s: string) => s.replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return [v, `'${v}'`, `"${v}"`, `\`${v}\``, `'${esc(v, "'")}'`, `"${esc(v, '"')}"`, `"${lines(esc(v, '"'))}"`, `"${lines(v)}"`, `'${lines(v)}'`];
}

/** Values no form carries to both readers; a refused value that some form carries is a failure. */
async function checkUncarriable(values: string[]): Promise<string | null> {
  const files = values.flatMap((v) => forms(v).map((f) => `K=${f}\n`));
  const py = (await readWithPython(files)).files;
  let i = 0;
  for (const v of values)
    for (const f of forms(v)) {
      const p = py[i++]!;
      if (parse(`K=${f}\n`).K === v && p.raw.K === v && p.resolved.K === v) return `refused ${JSON.stringify(v)}, which K=${f} carries`;
    }
  return null;
}

const splitLines = (t: string) => t.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];

/** Indices of old and new lines that a longest common subsequence keeps unchanged. */
function common(a: string[], b: string[], eq: (i: number, j: number) => boolean): [Set<number>, Set<number>] {
  const dp = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) dp[i]![j] = eq(i, j) ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const keptA = new Set<number>();
  const keptB = new Set<number>();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (eq(i, j)) {
      keptA.add(i++);
      keptB.add(j++);
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) i++;
    else j++;
  }
  return [keptA, keptB];
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const assignmentOf = (keys: string[]) => new RegExp(`^[\\s\\ufeff]*(?:export\\s+)?(?:${keys.map(esc).join('|')})\\s*=`);

/** Every byte outside the updated assignments (and the appended block) is unchanged, line endings included. */
function onlyAssignmentsChanged(oldText: string, newText: string, c: Case): string | null {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const lastOpen = a.length > 0 && !/[\r\n]$/.test(oldText);
  const eq = (i: number, j: number) => a[i] === b[j] || (lastOpen && i === a.length - 1 && b[j]!.replace(/(?:\r\n|\r|\n)$/, '') === a[i]);
  const [keptA, keptB] = common(a, b, eq);
  const keys = Object.keys(c.updates);
  const isAssignment = assignmentOf(keys);
  let runs = 0;
  for (let i = 0; i < a.length; i++) {
    if (keptA.has(i)) continue;
    if (i === 0 || keptA.has(i - 1)) {
      runs++;
      if (!isAssignment.test(a[i]!)) return `old line ${i + 1} changed but holds no updated key: ${JSON.stringify(a[i])}`;
    }
  }
  if (runs > keys.length) return `${runs} changed places for ${keys.length} keys`;
  const oldChanged = a.filter((_, i) => !keptA.has(i)).join('');
  let quoted = false; // inside a single-quoted value written over several lines
  for (let j = 0; j < b.length; j++) {
    if (keptB.has(j)) continue;
    const line = b[j]!.replace(/(?:\r\n|\r|\n)$/, '');
    if (quoted) {
      quoted = !line.includes("'");
      continue;
    }
    if (isAssignment.test(line)) {
      quoted = /^[^=]*=\s*'[^']*$/.test(line);
      continue;
    }
    if (line === NEW_KEYS_HEADER || line.trim() === '') continue;
    if (/^\s*#/.test(line) && oldChanged.includes(line.trim())) continue; // an inline comment moved above its key
    return `new line ${j + 1} is not an updated assignment: ${JSON.stringify(b[j])}`;
  }
  return null;
}

const agree = (d: Record<string, string>, p: Record<string, string | null>) =>
  Object.entries(d).every(([k, v]) => p[k] === v) && Object.entries(p).every(([k, v]) => v === null || d[k] === v);

/** The port's reading, in a form that compares equal to the oracle's whatever the key order. */
const port = (p: Map<string, string | null>) => JSON.stringify([...p].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const oracle = (p: Record<string, string | null>) => port(new Map(Object.entries(p)));

/** Why the case fails, or null when every property holds. Values refused as uncarriable go to `refusedValues`. */
function judge(c: Case, out: Outcome, pyOld: PyReading, pyNew: PyReading | undefined, refusedValues: Set<string>): string | null {
  const oldText = fileOf(c);
  const dOld = parse(oldText);
  if (port(pythonParse(oldText)) !== oracle(pyOld.raw)) return `the python-dotenv port reads the old file differently: ${port(pythonParse(oldText))} vs ${oracle(pyOld.raw)}`;
  if (out.kind === 'refused') {
    if (out.message.includes('\n')) return 'refusal is more than one line';
    const key = /^(\S+) cannot be written to /.exec(out.message)?.[1];
    if (key !== undefined) {
      if (!(key in c.updates)) return `refusal names a key not being written: ${out.message}`;
      refusedValues.add(c.updates[key]!);
      return null;
    }
    if (!/line \d+/.test(out.message)) return `refusal names neither a line nor a key: ${out.message}`;
    if (agree(dOld, pyOld.raw) && pyOld.errors === 0) return `refused a clean file (both readers agree, python-dotenv skips no line): ${out.message}`;
    return null;
  }
  const text = out.text;
  const dNew = parse(text);
  const want = { ...dOld, ...c.updates };
  for (const k of new Set([...Object.keys(want), ...Object.keys(dNew)]))
    if (dNew[k] !== want[k]) return `dotenv reads ${k}=${JSON.stringify(dNew[k])}, expected ${JSON.stringify(want[k])}`;
  if (port(pythonParse(text)) !== oracle(pyNew!.raw)) return `the python-dotenv port reads the new file differently: ${port(pythonParse(text))} vs ${oracle(pyNew!.raw)}`;
  for (const [k, v] of Object.entries(c.updates)) {
    if (pyNew!.raw[k] !== v) return `python-dotenv reads ${k}=${JSON.stringify(pyNew!.raw[k])}, expected ${JSON.stringify(v)}`;
    if (pyNew!.resolved[k] !== v) return `python-dotenv expands ${k} to ${JSON.stringify(pyNew!.resolved[k])}`;
  }
  for (const k of new Set([...Object.keys(pyOld.raw), ...Object.keys(pyNew!.raw)])) {
    if (k in c.updates) continue;
    if (pyNew!.raw[k] !== pyOld.raw[k] && pyNew!.raw[k] !== dNew[k]) return `python-dotenv's reading of ${k} moved from ${JSON.stringify(pyOld.raw[k])} to ${JSON.stringify(pyNew!.raw[k])}`;
  }
  return onlyAssignmentsChanged(oldText, text, c);
}

async function judgeAlone(c: Case): Promise<string | null> {
  const out = merge(c);
  const py = (await readWithPython(out.kind === 'merged' ? [fileOf(c), out.text] : [fileOf(c)])).files;
  const refused = new Set<string>();
  return judge(c, out, py[0]!, py[1], refused) ?? checkUncarriable([...refused]);
}

/** Drops lines while the case still fails: the smallest file that shows the problem. */
async function minimise(c: Case): Promise<{ c: Case; why: string }> {
  let best = c;
  let why = (await judgeAlone(c)) ?? 'passes alone';
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < best.lines.length; i++) {
      const smaller = { ...best, lines: best.lines.filter((_, j) => j !== i) };
      const w = await judgeAlone(smaller);
      if (w) {
        best = smaller;
        why = w;
        changed = true;
        break;
      }
    }
  }
  return { c: best, why };
}

test(`the merge holds for ${COUNT} generated files (seed ${SEED}): dotenv and python-dotenv read the new values, nothing else moves`, async () => {
  const r = prng(SEED);
  const cases = Array.from({ length: COUNT }, () => generate(r));
  // python-dotenv reads the old files while the merges run.
  const pyOld = readWithPython(cases.map(fileOf));
  const outs = cases.map(merge);
  const newAt: (number | undefined)[] = [];
  const newTexts: string[] = [];
  for (const o of outs) newAt.push(o.kind === 'merged' ? newTexts.push(o.text) - 1 : undefined);
  const pyNew = await readWithPython(newTexts);
  const { version, files: oldFiles } = await pyOld;
  let merged = 0;
  let refused = 0;
  const refusedValues = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const n = newAt[i];
    const why = judge(c, outs[i]!, oldFiles[i]!, n === undefined ? undefined : pyNew.files[n], refusedValues);
    if (why) {
      const min = await minimise(c);
      assert.fail(`case ${i} (seed ${SEED}) fails: ${min.why}\n  file: ${JSON.stringify(fileOf(min.c))}\n  updates: ${JSON.stringify(min.c.updates)}`);
    }
    if (outs[i]!.kind === 'merged') merged++;
    else refused++;
  }
  const wrong = await checkUncarriable([...refusedValues]);
  assert.equal(wrong, null, wrong ?? '');
  // The generator must exercise both paths, or the properties prove little.
  assert.ok(merged > COUNT / 2 && refused > COUNT / 50, `merged ${merged}, refused ${refused} (python-dotenv ${version})`);
});

test('through the real writer: mode 0600, .env.bak is the previous file, nothing left behind', () => {
  const r = prng(SEED + 1);
  const dir = mkdtempSync(join(scratch, 'csi-envw-'));
  const path = join(dir, '.env');
  let written = 0;
  try {
    for (let i = 0; i < 2000; i++) {
      const c = generate(r);
      const out = merge(c);
      if (out.kind !== 'merged') continue;
      const before = fileOf(c);
      writeFileSync(path, before, { mode: 0o644 });
      writeEnvFile(path, out.text);
      assert.equal(readFileSync(path, 'utf8'), out.text);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(readFileSync(`${path}.bak`, 'utf8'), before);
      assert.equal(statSync(`${path}.bak`).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir).sort(), ['.env', '.env.bak']);
      rmSync(`${path}.bak`);
      written++;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(written > 1000, `only ${written} files were written`);
});
