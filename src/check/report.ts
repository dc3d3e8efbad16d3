// How the check reads on a terminal: one line per hop (✓, ✗ or – for skipped), the fix under each ✗;
// then the probe and the live call in the same form. Plain text when piped.
import { shortened } from '../wrap.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { shown } from '../redact.js';
import { dim, green, out, red, yellow } from '../ui.js';
import { seconds } from '../timing.js';
import type { CallStep, Hop, LiveResult, ProbeResult } from './types.js';

export function hopLines(h: { title: string; ok: boolean; skipped?: boolean; detail?: string; fix?: string }): string {
  const mark = h.skipped ? dim('–') : h.ok ? green('✓') : red('✗');
  const detail = h.detail ? (h.skipped ? dim(`: skipped, ${h.detail}`) : `: ${h.detail}`) : h.skipped ? dim(': skipped') : '';
  const title = h.ok || h.skipped ? h.title : red(h.title);
  const fix = !h.ok && !h.skipped && h.fix ? `\n    ${yellow('fix:')} ${h.fix}` : '';
  return `${mark} ${title}${detail}${fix}`;
}

export function printHop(h: Hop): void {
  out(hopLines(h));
}

export function printProbe(p: ProbeResult): void {
  out(hopLines({ ...p, title: 'Agent probe' }));
}

export function printLive(l: LiveResult): void {
  out(hopLines({ ...l, title: `Live call to ${l.number}` }));
  for (const s of l.proof ?? []) out(stepLine(s, l.fix));
  if (l.interaction === 'no-table') out(dim('    (no interactions table: the agent does not log calls there)'));
}

/** One step of a call under its heading: ✓/✗/–, the title, when, what; the fix when it is not the heading's. */
export function stepLine(s: CallStep, shownFix?: string): string {
  const when = s.atMs !== undefined ? dim(` (${seconds(s.atMs)})`) : '';
  const mark = s.skipped ? dim('–') : s.ok ? green('✓') : red('✗');
  const detail = s.detail ? (s.skipped ? dim(`: skipped, ${s.detail}`) : `: ${s.detail}`) : '';
  const fix = !s.ok && !s.skipped && s.fix && s.fix !== shownFix ? `\n        ${yellow('fix:')} ${s.fix}` : '';
  return `    ${mark} ${s.title}${when}${detail}${fix}`;
}

/** "+1 424 485 1544": how a person reads the number to dial. */
export function dialable(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/**
 * "Call +1 424 485 1544 now", then on a terminal a countdown on the same line until stop();
 * when piped, the one line and nothing more.
 */
export function announceCall(e164: string, timeoutMs: number): { stop: () => void; event: (text: string) => void } {
  const head = shown(`Call ${dialable(e164)} now`);
  if (!process.stdout.isTTY) {
    out(`${head} (watching for ${Math.round(timeoutMs / 1000)} s)`);
    return { stop: () => {}, event: (text) => out(`  ${text}`) };
  }
  const end = Date.now() + timeoutMs;
  const draw = () => process.stdout.write(`\r\x1b[2K${head} ${dim(`(${Math.max(0, Math.ceil((end - Date.now()) / 1000))} s left)`)}`);
  draw();
  const timer = setInterval(draw, 1000);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    process.stdout.write(`\r\x1b[2K${head}\n`);
  };
  return {
    stop,
    event: (text) => {
      stop();
      out(`  ${text}`);
    },
  };
}

/** A line that stays only while something is waited for (a terminal only; nothing when piped). */
export function transient(text: string): () => void {
  if (!process.stdout.isTTY) return () => {};
  // One line, or the \r below would erase only its last.
  process.stdout.write(dim(shortened(shown(text))));
  return () => process.stdout.write('\r\x1b[2K');
}
