// Generated .env files for the merge's property tests: realistic lines mixed with the ones that break
// hand-written readers (unclosed quotes, `KEY: value`, lone CRs, quotes in comments, multi-line values).

/** mulberry32: small, seeded, good enough to spread cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Case {
  /** The file as lines, each with its own ending (the last may have none). */
  lines: string[];
  updates: Record<string, string>;
}

export const fileOf = (c: Pick<Case, 'lines'>) => c.lines.join('');

const KEYS = ['AGENT_NAME', 'LIVEKIT_URL', 'A', 'a.b', 'B-1', 'OTHER', 'export'];
export const TARGETS = ['AGENT_NAME', 'LIVEKIT_URL', 'A', 'a.b', 'NEW_KEY'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

const WORDS = ['abc', 'wss://x.livekit.cloud', '12345', 'my-agent', 'p@ss', 'x.y', 'sb_secret_1=2', 'é∂', 'a b', 'tab\there', '$HOME', 'C:\\dir'];

function word(r: () => number): string {
  return pick(r, WORDS);
}

/** A value as someone might have written it in the file (raw, quoting included). */
function rawValue(r: () => number): string {
  const w = word(r);
  switch (Math.floor(r() * 16)) {
    case 0: return '';
    case 1: return `'${w}'`;
    case 2: return `"${w}"`;
    case 3: return `\`${w}\``;
    case 4: return `"${w}\\n${word(r)}"`;
    case 5: return `"${w}`; // unclosed
    case 6: return `'${w}`; // unclosed
    case 7: return `${w}#${word(r)}`; // # straight after the value
    case 8: return `"${w}" extra"`; // a quote after the closing one
    case 9: return `'it"s'`;
    case 10: return `"it's"`;
    case 11: return `${w}\\`;
    case 12: return `"a\\"b"`;
    default: return w;
  }
}

function eolFor(r: () => number, style: number): string {
  if (style === 0) return '\n';
  if (style === 1) return '\r\n';
  return pick(r, ['\n', '\n', '\r\n', '\r']);
}

function line(r: () => number): string[] {
  const key = pick(r, KEYS);
  const ws = () => pick(r, ['', '', '', ' ', '  ', '\t']);
  switch (Math.floor(r() * 20)) {
    case 0: case 1: return [ws()];
    case 2: return [`# ${word(r)}`];
    case 3: return [`# it's a "comment"`];
    case 4: return [`${key}: ${word(r)}`];
    case 5: return [pick(r, ['just words', '=x', '"', "'", key, 'export', `${key} ="x" y"`, '\u2028', 'K=1\u2028L=2'])];
    case 6: return [`${key}="first`, `second"`]; // a value over two lines
    case 7: return [`${key}='one`, `two`, `three'`];
    case 8: return [`${ws()}export ${key}${ws()}=${ws()}${rawValue(r)}`];
    case 9: return [`${key}=${rawValue(r)}${ws()} # note "${word(r)}"`];
    case 10: return [`${key}=${ws()}# only a comment`];
    default: return [`${ws()}${key}${ws()}=${ws()}${rawValue(r)}${pick(r, ['', '', ' # c', '  #c'])}`];
  }
}

/** A value to write: plain mostly, and every kind of character that needs care. */
export function newValue(r: () => number): string {
  const w = word(r);
  switch (Math.floor(r() * 16)) {
    case 0: return '';
    case 1: return `${w} #x`;
    case 2: return `it's`;
    case 3: return `say "hi"`;
    case 4: return `a'b"c\`d`;
    case 5: return `a'b"c #d`; // no quoting carries this one
    case 6: return `line\n${w}`;
    case 7: return ` ${w} `;
    case 8: return `back\\slash`;
    case 9: return `\${HOME}`; // python-dotenv would expand it
    case 10: return `#${w}`;
    case 11: return `cr\r${w}`;
    case 12: return `'${w}'`;
    default: return w;
  }
}

export function generate(r: () => number): Case {
  const style = Math.floor(r() * 3);
  const parts: string[] = [];
  const n = Math.floor(r() * 9);
  for (let i = 0; i < n; i++) parts.push(...line(r));
  const lines = parts.map((p, i) => p + (i === parts.length - 1 && r() < 0.3 ? '' : eolFor(r, style)));
  if (lines.length && r() < 0.02) lines[0] = `\ufeff${lines[0]}`;
  const updates: Record<string, string> = {};
  const k = 1 + Math.floor(r() * 3);
  for (let i = 0; i < k; i++) updates[pick(r, TARGETS)] = newValue(r);
  return { lines, updates };
}
