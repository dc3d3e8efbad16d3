// Fitting printed text to the terminal's width. Lines break at spaces, never inside a word (a word longer
// than the width, a URL say, stands alone on its line); continuation lines hang under the text after a
// bullet. A command that ends a line moves to a line of its own and, if still too long, breaks with ` \`,
// so what the person copies still runs.
import { tool } from './invocation.js';

const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns to fit: the terminal's, else COLUMNS, else 80 (piped text is read in a terminal too). */
export function termWidth(stream: { columns?: number } = process.stdout): number {
  const c = stream.columns || Number(process.env.COLUMNS) || 80;
  return Math.max(40, c);
}

/** Width on screen, escape codes aside (every character we print is one column wide). */
export function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/** The indent a wrapped line continues at: under the text after any leading spaces and bullet. */
function hangingIndent(line: string): string {
  const plain = line.replace(ANSI, '');
  const m = /^(\s*)((?:[•✔✖✓✗!–▲■●◇│]|\d+\.|fix:|[A-Za-z][\w ]{0,20}:(?= ))\s+)?/.exec(plain);
  const lead = m?.[1] ?? '';
  const bullet = m?.[2] ?? '';
  // A label ("fix:", "Next:") is short; a long run before the first colon is prose, not a label.
  return ' '.repeat(lead.length + (bullet.length <= 12 ? bullet.length : 2));
}

/** Words of `text` into lines of at most `width`, the first starting as is, the rest at `indent`. */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const lead = /^\s*/.exec(text)![0];
  const words = text.slice(lead.length).split(/ +/).filter((w) => w !== '');
  const lines: string[] = [];
  let cur = lead;
  let curLen = visibleLength(lead);
  let empty = true;
  for (const w of words) {
    const wl = visibleLength(w);
    if (!empty && curLen + 1 + wl > width) {
      lines.push(cur);
      // A word too long for the indent (a long URL) moves left rather than past the edge.
      const pad = indent.slice(0, Math.max(0, Math.min(indent.length, width - wl)));
      cur = pad + w;
      curLen = pad.length + wl;
    } else {
      cur += (empty ? '' : ' ') + w;
      curLen += (empty ? 0 : 1) + wl;
    }
    empty = false;
  }
  lines.push(cur);
  return lines;
}

/** A command too long for one line: broken at spaces with a trailing ` \` so a shell reads it as one. */
export function wrapCommand(cmd: string, width: number, indent: string): string[] {
  if (visibleLength(indent + cmd) <= width) return [indent + cmd];
  // A flag and its value stay together ("--number +1…"); a non-breaking join keeps wrapWords from parting them.
  const units = cmd.split(/ +/).reduce<string[]>((acc, w) => {
    const last = acc[acc.length - 1];
    if (last !== undefined && /^--?[a-z]/i.test(last) && !last.includes(NBSP) && !w.startsWith('-')) acc[acc.length - 1] = `${last}${NBSP}${w}`;
    else acc.push(w);
    return acc;
  }, []);
  const lines = wrapWords(indent + units.join(' '), width - 2, `${indent}  `).map((l) => l.replaceAll(NBSP, ' '));
  return lines.map((l, i) => (i < lines.length - 1 ? `${l} \\` : l));
}
const NBSP = '\u00a0';

/** One line fitted to `width`: itself when it fits, else wrapped as above. */
export function fitLine(line: string, width: number): string[] {
  if (visibleLength(line) <= width || !line.trim()) return [line];
  const indent = hangingIndent(line);
  // A command that runs to the end of the line (not one quoted inside prose) goes on lines of its own.
  const at = line.lastIndexOf(tool());
  if (at >= 0 && !line.slice(0, at).endsWith('`') && !line.slice(at).includes('`')) {
    const head = line.slice(0, at).trimEnd();
    const command = wrapCommand(line.slice(at), width, head.trim() ? `${indent}  ` : indent);
    return head.trim() ? [...wrapWords(head, width, indent), ...command] : command;
  }
  return wrapWords(line, width, indent);
}

/** Every line of `text` fitted to `width`. */
export function fitText(text: string, width = termWidth()): string {
  return text
    .split('\n')
    .flatMap((l) => fitLine(l, width))
    .join('\n');
}

/**
 * A line that must stay one line (a transient one erased with \r, a spinner's): cut at the last space
 * that fits, with "…", never inside a word.
 */
export function shortened(text: string, width = termWidth()): string {
  if (visibleLength(text) <= width) return text;
  const words = wrapWords(text.replace(ANSI, ''), width - 1)[0]!;
  return `${words.replace(/[\s,;:(]+$/, '')}…`;
}
