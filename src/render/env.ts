// Merges settings into an existing .env text without disturbing it. Every assignment is located with dotenv's own
// grammar (its LINE expression, below), only the assignment dotenv reads is rewritten, and every other byte, line
// ending included, stays. Each result is proven before it is returned: dotenv and python-dotenv (the reader most
// LiveKit agents use) must both read the new values and nothing else may change for them.
import { parse } from 'dotenv';
import { UsageError } from '../errors.js';
import { mask } from '../mask.js';
import { pythonBindings, pythonParse, PYTHON_INTERPOLATION } from './env-python.js';

export interface EnvChange {
  key: string;
  /** The value dotenv read before; absent for an added key. */
  from?: string;
  to: string;
  /** How the line was quoted and how it is now, when that changed (an owned line never changes silently). */
  quoting?: { from: Quoting; to: Quoting };
}

export type Quoting = 'plain' | 'single quotes' | 'double quotes' | 'backticks';

/** How a raw value (as written after the `=`) is quoted. */
function quotingOf(raw: string): Quoting {
  const q = raw.trim()[0];
  return q === "'" ? 'single quotes' : q === '"' ? 'double quotes' : q === '`' ? 'backticks' : 'plain';
}

export interface EnvDiff {
  added: string[];
  updated: string[];
  unchanged: string[];
  /** Old → new for each added or updated key, in the order given. */
  changes: EnvChange[];
}

export const NEW_KEYS_HEADER = '# Added by create-sip-inbound';

/** dotenv's LINE from dotenv/lib/main.js, verbatim (test/render/env-grammar.test.ts checks that it still is). */
export const DOTENV_LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg;

// The same expression with match indices, so each assignment's key and value can be placed exactly.
const LINE = new RegExp(DOTENV_LINE.source, 'dgm');
// JavaScript's `$` and `.` under the `m` flag treat these as line ends, so dotenv does too.
const LINE_END = /[\n\u2028\u2029]/;
const EQUALS = /\s*=/y;

interface Assignment {
  key: string;
  keyStart: number;
  /** Just after the `=` (or the `:`). */
  sepEnd: number;
  colon: boolean;
  /** The raw value as dotenv matched it (its group 2), and where it ends. */
  raw: string;
  valueEnd: number;
  value: string;
}

interface Normalised {
  /** The text as dotenv matches it: \r\n and lone \r read as \n. */
  text: string;
  /** Offset in the original text of each offset in `text` (one past the end included). */
  orig: Int32Array;
}

function normalise(text: string): Normalised {
  const norm = text.replace(/\r\n?/g, '\n');
  const orig = new Int32Array(norm.length + 1);
  for (let i = 0, j = 0; i <= norm.length; i++) {
    orig[i] = j;
    j += text[j] === '\r' && text[j + 1] === '\n' ? 2 : 1;
  }
  return { text: norm, orig };
}

/** Every assignment dotenv reads, in order, decoded exactly as dotenv's parse() decodes it. */
function assignments(norm: string): Assignment[] {
  const found: Assignment[] = [];
  LINE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = LINE.exec(norm)) !== null) {
    const indices = m.indices!;
    const key = m[1]!;
    const keyEnd = indices[1]![1];
    EQUALS.lastIndex = keyEnd;
    const colon = !EQUALS.test(norm);
    const sepEnd = colon ? keyEnd + 1 : EQUALS.lastIndex;
    const raw = m[2] ?? '';
    // dotenv's own decoding of the matched value (lib/main.js, parse).
    let value = raw.trim();
    const q = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    found.push({ key, keyStart: indices[1]![0], sepEnd, colon, raw, valueEnd: indices[2] ? indices[2][1] : sepEnd, value });
  }
  return found;
}

function lineOf(norm: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < norm.length; i++) if (norm[i] === '\n') n++;
  return n;
}

const QUOTES = `'"\``;
const JS_OR_PY_SPACE = /^[\s\x1c-\x1f\x85]|[\s\x1c-\x1f\x85]$/;

/**
 * The ways to write `value` that dotenv and python-dotenv both read back as exactly `value`, best first.
 * Empty when none can (the reason is in `why`).
 */
function encodings(value: string, preferredQuote: string, eol = '\n'): { list: string[]; why?: string } {
  if (value === '') return { list: [''] };
  if (PYTHON_INTERPOLATION.test(value)) return { list: [], why: 'python-dotenv would expand its ${…}' };
  const quotable = !value.includes("'") && !/\\[\\']|\\$/.test(value);
  const single = quotable && !/[\r\n]/.test(value);
  // Single quotes carry a line break only as a real one (both read any line ending inside as \n); never a \r.
  const multiline = quotable && value.includes('\n') && !value.includes('\r');
  // Inside double quotes both read \n and \r as line breaks; python-dotenv also decodes \\ \' \" \a \b \f \t \v,
  // so a backslash may only stand before some other character.
  const double = !value.includes('"') && !/\\(?:[\\'"abfnrtv\r\n]|$)/.test(value);
  const bare =
    !/[#\r\n\u2028\u2029\x85]/.test(value) && !QUOTES.includes(value[0]!) && !JS_OR_PY_SPACE.test(value);
  const plain = bare && /^[\w./:@+,%=~^*!?[\]{}-]+$/.test(value);
  const asSingle = `'${value}'`;
  const asDouble = `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  const list: string[] = [];
  if (preferredQuote === "'" && single) list.push(asSingle);
  if (preferredQuote === '"' && double) list.push(asDouble);
  if (plain) list.push(value);
  if (single) list.push(asSingle);
  if (double) list.push(asDouble);
  if (bare) list.push(value);
  if (multiline) list.push(`'${value.replace(/\n/g, eol)}'`);
  if (list.length) return { list: [...new Set(list)] };
  return {
    list: [],
    why: /[\r\n]/.test(value)
      ? 'it has a line break as well as a double quote or a backslash, or a carriage return as well as a single quote'
      : 'it mixes a single quote with a double quote or a backslash, and has a #, a leading quote or edge spaces',
  };
}

/** Encodes a value so that dotenv and python-dotenv both read back exactly `value`, keeping `preferredQuote` when it can. */
export function encodeValue(value: string, preferredQuote = ''): string {
  const { list, why } = encodings(value, preferredQuote);
  if (!list.length) throw new Error(`This value cannot be written to a .env file so that it reads back the same (${why}).`);
  return list[0]!;
}

function dominantEol(text: string): string {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const cr = (text.match(/\r/g) ?? []).length - crlf;
  if (crlf > lf && crlf >= cr) return '\r\n';
  if (cr > lf && cr > crlf) return '\r';
  return '\n';
}

interface Readings {
  dotenv: Record<string, string>;
  python: Map<string, string | null>;
}

function readings(text: string): Readings {
  return { dotenv: parse(text), python: pythonParse(text) };
}

/**
 * True when `after` reads as `before` with `key` set to `value`, for dotenv and for python-dotenv. A key python
 * already read differently may stay so, or come to agree with dotenv; nothing else may move.
 */
function holds(before: Readings, after: string, key: string, value: string): boolean {
  const d = parse(after);
  const want = { ...before.dotenv, [key]: value };
  const keys = new Set([...Object.keys(want), ...Object.keys(d)]);
  for (const k of keys) if (d[k] !== want[k]) return false;
  const p = pythonParse(after);
  if (p.get(key) !== value) return false;
  for (const k of new Set([...before.python.keys(), ...p.keys()])) {
    if (k === key) continue;
    if (p.get(k) !== before.python.get(k) && p.get(k) !== d[k]) return false;
  }
  return true;
}

/** The earliest line whose reading (dotenv's or python's) runs over offset `at` of `text`. */
function swallowingLine(text: string, at: number): number | undefined {
  const norm = normalise(text).text;
  const offset = normalise(text.slice(0, at)).text.length;
  const bom = text.startsWith('\ufeff') ? 1 : 0; // python-dotenv drops it before reading
  const starts: number[] = [];
  for (const b of pythonBindings(text))
    if (b.start + bom < offset && b.end + bom > offset) starts.push(norm.slice(b.start + bom).search(/\S/) + b.start + bom);
  for (const a of assignments(norm)) if (a.keyStart < offset && a.valueEnd > offset) starts.push(a.keyStart);
  const first = starts.filter((s) => s >= 0 && s < offset).sort((a, b) => a - b)[0];
  return first === undefined ? undefined : lineOf(norm, first);
}

/** Why the assignment dotenv reads cannot be rewritten in place, or undefined when it can. */
function unplaceable(norm: string, a: Assignment): string | undefined {
  if (a.colon) return `"${a.key}: …" is read by Node's dotenv but not by python-dotenv; write it as ${a.key}=…`;
  if (LINE_END.test(norm.slice(a.keyStart, a.sepEnd))) return `${a.key} and its = are on different lines; join them`;
  const lead = /^\s*/.exec(a.raw)![0];
  if (LINE_END.test(lead)) return `the value of ${a.key} starts on the line after the =; move it up`;
  const q = a.raw.trim()[0];
  if (q && QUOTES.includes(q) && !new RegExp(`^\\s*${q}(?:\\\\${q}|[^${q}])*${q}$`).test(a.raw))
    return `the value of ${a.key} opens a quote (${q}) that is not closed on that line; close it or remove it`;
  return undefined;
}

/** The ending of the line holding normalised offset `at`: its own, or the file's usual one on a last line without one. */
function eolAfter(text: string, n: Normalised, at: number): string {
  const rest = n.text.slice(at);
  const i = rest.search(LINE_END);
  const o = n.orig[at + (i < 0 ? rest.length : i)]!;
  return text.startsWith('\r\n', o) ? '\r\n' : text[o] === '\r' || text[o] === '\n' ? text[o]! : dominantEol(text);
}

/** The text with one assignment's value replaced by `encoded` (an empty value moves an inline comment above). */
function replaceValue(text: string, n: Normalised, a: Assignment, encoded: string): { text: string; at: number } {
  const norm = n.text;
  const rest = norm.slice(a.valueEnd);
  const lineEnd = a.valueEnd + (rest.search(LINE_END) < 0 ? rest.length : rest.search(LINE_END));
  const tail = norm.slice(a.valueEnd, lineEnd);
  const hash = tail.indexOf('#');
  // An unquoted value's match takes the spaces before its `# comment`: they belong to the gap, not the value.
  const blank = a.raw.trim() === '';
  const trail = /[^\S\n]*$/.exec(a.raw)![0];
  const lead = blank ? '' : /^[^\S\n]*/.exec(a.raw)![0];
  const gap = trail + (hash < 0 ? tail : tail.slice(0, hash));
  const comment = hash < 0 ? '' : tail.slice(hash);
  let value: string;
  let insertAt = -1;
  let above = '';
  if (encoded === '') {
    // `KEY=   # note` reads as "# note" to older python-dotenv: the note goes on its own line above.
    value = '';
    if (comment) {
      const lineStart = Math.max(...['\n', '\u2028', '\u2029'].map((c) => norm.lastIndexOf(c, a.keyStart - 1))) + 1;
      const indent = /^[^\S\n]*/.exec(norm.slice(lineStart, a.keyStart))![0];
      insertAt = n.orig[lineStart]!;
      above = `${indent}${comment}${eolAfter(text, n, a.valueEnd)}`;
    }
  } else {
    value = `${lead}${encoded}${comment ? `${gap || ' '}${comment}` : gap}`;
  }
  const from = n.orig[a.sepEnd]!;
  const to = n.orig[lineEnd]!;
  let out = text.slice(0, from) + value + text.slice(to);
  let at = from;
  if (insertAt >= 0) {
    out = out.slice(0, insertAt) + above + out.slice(insertAt);
    at += above.length;
  }
  return { text: out, at };
}

function appendKey(text: string, key: string, encoded: string): { text: string; at: number } {
  // New lines end as the last line does (a \n after a lone \r would turn it into one \r\n ending).
  const eol = /(\r\n|\r|\n)$/.exec(text)?.[1] ?? dominantEol(text);
  let out = text;
  if (out !== '' && !/[\r\n]$/.test(out)) out += eol;
  const lines = out.split(/\r\n|\r|\n/);
  if (!lines.includes(NEW_KEYS_HEADER)) {
    // A blank line before the header, unless the file is empty or already ends with one.
    if (out !== '' && lines.at(-2)!.trim() !== '') out += eol;
    out += `${NEW_KEYS_HEADER}${eol}`;
  }
  const at = out.length;
  return { text: `${out}${key}=${encoded}${eol}`, at };
}

/**
 * Applies `updates` (key → value; undefined leaves the key alone) to the .env text. Returns the new text and
 * what changed. Throws a one-line UsageError, before anything is written, when a value cannot be written so that
 * both readers read it back, or when the line to change cannot be placed exactly (it names the line and the fix).
 */
export function mergeEnv(
  text: string,
  updates: Record<string, string | undefined>,
  opts: { file?: string } = {},
): { text: string; diff: EnvDiff } {
  const file = opts.file ?? '.env';
  const current = parse(text);
  const python = pythonParse(text);
  const diff: EnvDiff = { added: [], updated: [], unchanged: [], changes: [] };
  const todo: [string, string][] = [];
  for (const [key, value] of Object.entries(updates)) {
    if (value === undefined) continue;
    // Unchanged only when both read it so: `A=abc#x` is "abc" to dotenv but "abc#x" to python-dotenv.
    if (Object.hasOwn(current, key) && current[key] === value && python.get(key) === value) {
      diff.unchanged.push(key);
      continue;
    }
    const { why } = encodings(value, '');
    if (why) throw new UsageError(`${key} cannot be written to ${file} so that dotenv and python-dotenv read it back the same (${why}); choose another value`);
    todo.push([key, value]);
  }
  if (!todo.length) return { text, diff };

  let out = text;
  for (const [key, value] of todo) {
    const n = normalise(out);
    const all = assignments(n.text);
    const target = all.findLast((a) => a.key === key);
    const before = readings(out);
    // Our reading must be dotenv's: the guard against this code and the installed dotenv drifting apart.
    if (target && target.value !== before.dotenv[key]) throw new Error(`.env grammar out of step with dotenv for ${key}`);
    let line: number;
    let tries: { text: string; at: number; encoded: string }[];
    if (target) {
      line = lineOf(n.text, target.keyStart);
      const why = unplaceable(n.text, target);
      if (why) throw new UsageError(`${file} line ${line}: ${why}, then run again (nothing was changed)`);
      const q = target.raw.trim()[0] ?? '';
      tries = encodings(value, q, eolAfter(out, n, target.valueEnd)).list.map((e) => ({ ...replaceValue(out, n, target, e), encoded: e }));
      diff.updated.push(key);
      diff.changes.push({ key, from: target.value, to: value });
    } else {
      line = lineOf(n.text, n.text.length) + 1;
      tries = encodings(value, '', /(\r\n|\r|\n)$/.exec(out)?.[1] ?? dominantEol(out)).list.map((e) => ({ ...appendKey(out, key, e), encoded: e }));
      diff.added.push(key);
      diff.changes.push({ key, to: value });
    }
    const good = tries.find((t) => holds(before, t.text, key, value));
    if (!good) {
      const culprit = swallowingLine(tries[0]!.text, tries[0]!.at);
      throw new UsageError(
        culprit !== undefined && culprit < line
          ? `${file} line ${culprit}: a quote opened there is not closed on its line, so writing ${key} would change how it is read; close it or remove it, then run again (nothing was changed)`
          : `${file}: ${key} cannot be written so that dotenv and python-dotenv both read it back; check the lines around line ${line}, then run again (nothing was changed)`,
      );
    }
    // An empty value has no quoting to speak of.
    const was = target && target.raw.trim() ? quotingOf(target.raw) : undefined;
    const now = good.encoded ? quotingOf(good.encoded) : undefined;
    if (was && now && was !== now) diff.changes.at(-1)!.quoting = { from: was, to: now };
    out = good.text;
  }
  return { text: out, diff };
}

/** Each added key with its value, each updated key old → new; secrets masked, control characters escaped. */
function changedKeys(diff: EnvDiff, isSecret: (key: string) => boolean): { added: string[]; updated: string[] } {
  const show = (key: string, v: string | undefined) => (isSecret(key) ? mask(v) : v === '' || v === undefined ? '(empty)' : JSON.stringify(v));
  const added = diff.changes.filter((c) => c.from === undefined).map((c) => `${c.key} ${show(c.key, c.to)}`);
  const quoting = (c: EnvChange) => (c.quoting ? `${c.quoting.from} → ${c.quoting.to}` : '');
  const updated = diff.changes
    .filter((c) => c.from !== undefined)
    .map((c) =>
      c.from === c.to
        ? `${c.key}${c.quoting ? `: ${quoting(c)}` : ''} (rewritten so python-dotenv reads it too)`
        : `${c.key} ${show(c.key, c.from)} → ${show(c.key, c.to)}${c.quoting ? ` (${quoting(c)})` : ''}`,
    );
  return { added, updated };
}

/** "add A "x"; update B "old" → "new"", secrets masked, control characters escaped: for the plan. */
export function describeEnvChanges(diff: EnvDiff, isSecret: (key: string) => boolean): string {
  const { added, updated } = changedKeys(diff, isSecret);
  return [added.length && `add ${added.join(', ')}`, updated.length && `update ${updated.join(', ')}`].filter(Boolean).join('; ');
}

/** The same, one key a line ("add A "x"", "update B "old" → "new""), for a plan read in a narrow terminal. */
export function envChangeLines(diff: EnvDiff, isSecret: (key: string) => boolean): string[] {
  const { added, updated } = changedKeys(diff, isSecret);
  return [...added.map((a) => `add ${a}`), ...updated.map((u) => `update ${u}`)];
}
