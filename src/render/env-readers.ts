// Lines of a .env that Node's dotenv and python-dotenv (what most LiveKit agents use) read differently. The merge
// never rewrites a line it does not own, so such a line stays as it is; the plan names it once, with how each
// reader reads it, so that the person can fix it (or know why their agent sees another value).
import { parse } from 'dotenv';
import { DOTENV_LINE } from './env.js';
import { pythonBindings, PYTHON_INTERPOLATION } from './env-python.js';
import { mask } from '../mask.js';

export interface Disagreement {
  key: string;
  /** The line of the assignment that counts (the last, for both readers). */
  line: number;
  /** undefined: dotenv does not read the key. */
  dotenv: string | undefined;
  /** undefined: python-dotenv does not read the key; null: it reads the key without a value. */
  python: string | null | undefined;
  /** python-dotenv expands `${…}` in what it reads; dotenv does not. */
  expands: boolean;
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** The keys, other than `skip`, that the two readers read differently, in file order. */
export function disagreements(raw: string, skip: ReadonlySet<string> = new Set()): Disagreement[] {
  const text = raw.replace(/\r\n?/g, '\n').replace(/^\ufeff/, '');
  const dotenv = parse(raw);
  const dotenvLine = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(DOTENV_LINE.source, 'dgm'))) dotenvLine.set(m[1]!, lineAt(text, m.indices![1]![0]));
  const python = new Map<string, { value: string | null; line: number }>();
  for (const b of pythonBindings(raw))
    if (b.key !== null) python.set(b.key, { value: b.value, line: lineAt(text, b.start + Math.max(0, text.slice(b.start).search(/\S/))) });

  const found: Disagreement[] = [];
  for (const key of new Set([...dotenvLine.keys(), ...python.keys()])) {
    if (skip.has(key)) continue;
    const d = Object.hasOwn(dotenv, key) ? dotenv[key] : undefined;
    const p = python.get(key);
    const expands = typeof p?.value === 'string' && PYTHON_INTERPOLATION.test(p.value);
    if (d === p?.value && !expands) continue;
    found.push({ key, line: dotenvLine.get(key) ?? p!.line, dotenv: d, python: p?.value, expands });
  }
  return found.sort((a, b) => a.line - b.line);
}

// A foreign key's value may be a secret: by its name, only its length is shown.
const SECRET_NAME = /KEY|SECRET|TOKEN|PASS|PWD|AUTH|CREDENTIAL|PRIVATE|SIGNING|DSN/i;

function reading(key: string, v: string | null | undefined): string {
  if (v === undefined) return 'nothing (it skips the line)';
  if (v === null) return 'the key without a value';
  if (SECRET_NAME.test(key)) return v === '' ? '(empty)' : `${[...v].length} characters (${mask(v)})`;
  const short = [...v].length > 40 ? `${[...v].slice(0, 39).join('')}…` : v;
  return JSON.stringify(short).replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A heading naming how many, then one indented line for each; undefined when the readers agree on every line. */
export function describeDisagreements(list: readonly Disagreement[], file: string): string | undefined {
  if (!list.length) return undefined;
  const each = list.map(
    (x) => `    ${x.key} (line ${x.line}): dotenv reads ${reading(x.key, x.dotenv)}, python-dotenv ${reading(x.key, x.python)}${x.expands ? ' and expands its ${…}' : ''}`,
  );
  const heading = `${file}: dotenv and python-dotenv read ${list.length === 1 ? 'a line' : `${list.length} lines`} this tool does not own differently (left as ${list.length === 1 ? 'it is' : 'they are'}):`;
  return [heading, ...each].join('\n');
}
