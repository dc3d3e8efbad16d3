// Terminal helpers shared by the commands: prompt wrappers that turn Ctrl-C into CancelledError, and
// plain printing that stays clean when piped. Every line goes through the one redactor (src/redact.ts).
import { CancelledError } from './errors.js';
import { escapeControls, redact, shown } from './redact.js';
import { promptClosed, promptOpened, stopMessage } from './signals.js';
import { fitLine, fitText, termWidth } from './wrap.js';

type Clack = typeof import('@clack/prompts');
let clackPromise: Promise<Clack> | undefined;
/** @clack/prompts, loaded on first use, behind a facade that redacts every text handed to it. */
export function clack(): Promise<Clack> {
  return (clackPromise ??= import('@clack/prompts').then(redacting));
}

/** Unwraps a clack answer; Ctrl-C (clack's cancel symbol) becomes CancelledError saying what state things are in. */
export async function answer<T>(value: T): Promise<Exclude<T, symbol>> {
  const c = await clack();
  if (c.isCancel(value)) throw new CancelledError(stopMessage());
  return value as Exclude<T, symbol>;
}

const s = (v: unknown) => (typeof v === 'string' ? shown(v) : v);
// clack draws a 3-column gutter ("│  ") before every line; text fits in what is left, on word boundaries.
const inGutter = () => termWidth() - 3;
const fitLog = (m: string) => fitText(shown(m), inGutter());
const messages = (v: string | string[] | undefined) => (Array.isArray(v) ? v.map(fitLog) : v === undefined ? v : fitLog(v));

/**
 * A prompt's message, every line fitted beside the gutter. clack's text and password prompts put the gutter
 * before the first line only, so every further line (a hint, where to find the value, a wrapped line) gets its
 * own; its select, confirm and multiselect put it before every line themselves (`guided`).
 */
function promptMessage(message: string, guided: boolean): string {
  const bar = noColor() ? '│' : '\x1b[90m│\x1b[39m';
  const lines = shown(message).split('\n').flatMap((l) => fitLine(l, inGutter()));
  return lines.map((l, i) => (i && !guided ? `${bar}  ${l}` : l)).join('\n');
}

/** A validation message under a prompt, after clack's "└  ": wrapped lines line up under its first. */
function problemText(problem: string | Error | undefined): string | Error | undefined {
  return typeof problem === 'string' ? fitText(problem, inGutter()).replace(/\n/g, '\n   ') : problem;
}

function redacting(c: Clack): Clack {
  // One spelling everywhere: clack's own word is "Canceled".
  c.updateSettings({ messages: { cancel: 'Cancelled' } });
  const log: Clack['log'] = {
    message: (m, o) => c.log.message(messages(m), o),
    info: (m, o) => c.log.info(fitLog(m), o),
    success: (m, o) => c.log.success(fitLog(m), o),
    step: (m, o) => c.log.step(fitLog(m), o),
    warn: (m, o) => c.log.warn(fitLog(m), o),
    warning: (m, o) => c.log.warning(fitLog(m), o),
    error: (m, o) => c.log.error(fitLog(m), o),
  };
  // While a prompt waits, a signal ends the run at once (there is nothing in flight to finish).
  const prompt =
    <A extends { message: string; validate?: unknown }, R>(fn: (o: A) => Promise<R>, guided = false) =>
    async (o: A): Promise<R> => {
      promptOpened();
      const check = o.validate as ((v: unknown) => string | Error | undefined) | undefined;
      const validate = check ? { validate: (v: unknown) => problemText(check(v)) } : {};
      try {
        return await fn({ ...o, ...validate, message: promptMessage(o.message, guided) });
      } finally {
        promptClosed();
      }
    };
  const spinner: Clack['spinner'] = (o) => {
    const sp = c.spinner(o);
    return {
      ...sp,
      start: (m) => sp.start(s(m) as string | undefined),
      stop: (m) => sp.stop(s(m) as string | undefined),
      message: (m) => sp.message(s(m) as string | undefined),
      cancel: (m) => sp.cancel(s(m) as string | undefined),
      error: (m) => sp.error(s(m) as string | undefined),
      clear: () => sp.clear(),
      get isCancelled() {
        return sp.isCancelled;
      },
    };
  };
  return {
    ...c,
    log,
    spinner,
    intro: (t, o) => c.intro(s(t) as string | undefined, o),
    outro: (t, o) => c.outro(s(t) as string | undefined, o),
    cancel: (t, o) => c.cancel(s(t) as string | undefined, o),
    note: (m, t, o) => c.note(s(m) as string | undefined, s(t) as string | undefined, o),
    text: prompt(c.text),
    password: prompt(c.password),
    confirm: prompt(c.confirm, true),
    // Option labels may be values read from a service (a row's voice, say).
    select: ((o: Parameters<Clack['select']>[0]) =>
      prompt(c.select, true)({ ...o, options: o.options.map((x) => ({ ...x, label: shown(x.label ?? String(x.value)) })) as typeof o.options })) as Clack['select'],
    multiselect: prompt(c.multiselect, true) as Clack['multiselect'],
  };
}

// Where human-readable output goes: stdout, or stderr when stdout carries --json.
let human: NodeJS.WriteStream = process.stdout;
export function humanToStderr(): void {
  human = process.stderr;
}

/** A line (or lines) for the person; on a terminal, fitted to its width (JSON is left as it is). */
export function out(text: string): void {
  const t = fitted(shown(text), human);
  human.write(t.endsWith('\n') ? t : `${t}\n`);
}

function fitted(text: string, stream: NodeJS.WriteStream): string {
  return stream.isTTY && !/^\s*[[{]/.test(text) ? fitText(text, termWidth(stream)) : text;
}

/** Text exactly as given (a document to copy), for the person; secrets and control characters still never pass. */
export function print(text: string): void {
  human.write(shown(text));
}

/**
 * A document whose purpose is to carry some secrets (the SWML handed to SignalWire carries the SIP login):
 * those pass, every other secret of the run is still redacted.
 */
export function printDocument(text: string, carries: Array<string | undefined>): void {
  process.stdout.write(escapeControls(redact(text, [], carries), { keepStyle: true }));
}

/** A machine-readable result on stdout: JSON, every secret redacted in any spelling. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${escapeControls(redact(JSON.stringify(value, null, 2)))}\n`);
}

export function err(text: string): void {
  const t = fitted(shown(text), process.stderr);
  process.stderr.write(t.endsWith('\n') ? t : `${t}\n`);
}

// NO_COLOR (any non-empty value) turns colour off everywhere, the spinners' included.
export const noColor = () => Boolean(process.env.NO_COLOR);
const useColor = () => Boolean(process.stdout.isTTY) && !noColor();
export const dim = (s: string) => (useColor() ? `\x1b[2m${s}\x1b[22m` : s);
export const bold = (s: string) => (useColor() ? `\x1b[1m${s}\x1b[22m` : s);
export const green = (s: string) => (useColor() ? `\x1b[32m${s}\x1b[39m` : s);
export const red = (s: string) => (useColor() ? `\x1b[31m${s}\x1b[39m` : s);
export const yellow = (s: string) => (useColor() ? `\x1b[33m${s}\x1b[39m` : s);
