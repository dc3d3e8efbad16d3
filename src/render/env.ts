// Merges settings into an existing .env text without disturbing it: comments, order, unknown keys,
// `export` prefixes, quoting, inline comments and line endings stay; only changed values are rewritten.
import { parse } from 'dotenv';

export interface EnvDiff {
  added: string[];
  updated: string[];
  unchanged: string[];
}

export const NEW_KEYS_HEADER = '# Added by create-sip-inbound';

// KEY=value lines as dotenv reads them: optional indent and `export`, then the raw value (maybe quoted,
// maybe spanning lines when quoted), then an optional inline comment.
const ASSIGNMENT = /^(\s*(?:export\s+)?)([\w.-]+)(\s*=\s*)(.*)$/;

interface Line {
  text: string;
  key?: string;
}

/** Encodes a value so that dotenv reads back exactly `value`, keeping `preferredQuote` when it can. */
export function encodeValue(value: string, preferredQuote = ''): string {
  const plain = /^[\w./:@+,%=~^*!?[\]{}-]*$/.test(value) && !value.startsWith('#');
  const candidates = [preferredQuote, plain ? '' : null, "'", '"', '`'].filter((q): q is string => q !== null);
  // A line break is written as \n inside double quotes (dotenv and python-dotenv both expand it), so the
  // file keeps one line per key and its own line endings.
  if (value.includes('\n') && !value.includes('"')) {
    const escaped = `"${value.replace(/\n/g, '\\n')}"`;
    if (parse(`K=${escaped}`).K === value) return escaped;
  }
  for (const q of candidates) {
    if (q === '' && !plain) continue;
    // A quote char inside its own quotes parses only by accident of dotenv's pattern; other readers
    // (python-dotenv in the agent) would disagree. Use a quote the value does not contain.
    if (q !== '' && value.includes(q)) continue;
    const encoded = `${q}${value}${q}`;
    if (parse(`K=${encoded}`).K === value) return encoded;
  }
  throw new Error('This value cannot be written to a .env file so that it reads back the same (it mixes all three quote characters).');
}

function splitLines(text: string): { lines: Line[]; eol: string; finalNewline: boolean } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = text === '' || text.endsWith('\n');
  const raw = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const lines: Line[] = [];
  for (let i = 0; i < raw.length; i++) {
    let text = raw[i]!;
    const m = ASSIGNMENT.exec(text);
    if (!m) {
      lines.push({ text });
      continue;
    }
    // A quoted value that does not close on its line continues on the next ones (dotenv reads it so).
    const value = m[4]!.trimStart();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && !closes(value.slice(1), q)) {
      let j = i + 1;
      while (j < raw.length && !closes(raw[j]!, q)) j++;
      if (j < raw.length) {
        text = raw.slice(i, j + 1).join(eol);
        i = j;
      }
    }
    lines.push({ text, key: m[2]! });
  }
  return { lines, eol, finalNewline };
}

function closes(rest: string, q: string): boolean {
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '\\' && q !== '`') i++;
    else if (rest[i] === q) return true;
  }
  return false;
}

/** Rewrites one assignment line with a new value, keeping its prefix, spacing, quote style and inline comment. */
function rewrite(line: string, value: string): string {
  const m = ASSIGNMENT.exec(line.split(/\r?\n/)[0]!)!;
  const [, prefix, key, eq] = m;
  const all = line.slice(prefix!.length + key!.length + eq!.length);
  const q = /^['"`]/.test(all) ? all[0]! : '';
  let comment = '';
  if (q) {
    const end = closingIndex(all, q);
    const after = end >= 0 ? all.slice(end + 1) : '';
    if (/^\s+#/.test(after)) comment = after;
  } else {
    const hash = all.search(/\s+#/);
    if (hash >= 0) comment = all.slice(hash);
  }
  return `${prefix}${key}${eq}${encodeValue(value, q)}${comment}`;
}

function closingIndex(s: string, q: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\' && q !== '`') i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

/**
 * Applies `updates` (key → value; undefined leaves the key alone) to the .env text.
 * Returns the new text and a key-only diff for display (values never appear).
 */
export function mergeEnv(text: string, updates: Record<string, string | undefined>): { text: string; diff: EnvDiff } {
  const { lines, eol, finalNewline } = splitLines(text);
  const current = parse(text);
  const diff: EnvDiff = { added: [], updated: [], unchanged: [] };
  const appended: string[] = [];

  for (const [key, value] of Object.entries(updates)) {
    if (value === undefined) continue;
    if (!(key in current)) {
      diff.added.push(key);
      appended.push(`${key}=${encodeValue(value)}`);
      continue;
    }
    if (current[key] === value) {
      diff.unchanged.push(key);
      continue;
    }
    diff.updated.push(key);
    // dotenv lets the last assignment win; that is the one to change.
    const idx = lines.findLastIndex((l) => l.key === key);
    lines[idx] = { key, text: rewrite(lines[idx]!.text, value) };
  }

  if (!diff.updated.length && !appended.length) return { text, diff };
  const out = lines.map((l) => l.text);
  if (appended.length) {
    if (out.length && out[out.length - 1]!.trim() !== '') out.push('');
    if (!out.includes(NEW_KEYS_HEADER)) out.push(NEW_KEYS_HEADER);
    out.push(...appended);
  }
  const joined = out.join(eol);
  return { text: finalNewline || appended.length ? joined + eol : joined, diff };
}
