// Terminal helpers shared by the commands: prompt wrappers that turn Ctrl-C into CancelledError,
// and plain printing that stays clean when piped.
import { CancelledError } from './errors.js';

type Clack = typeof import('@clack/prompts');
let clackPromise: Promise<Clack> | undefined;
/** @clack/prompts, loaded on first use. */
export function clack(): Promise<Clack> {
  return (clackPromise ??= import('@clack/prompts'));
}

/** Unwraps a clack answer; Ctrl-C (clack's cancel symbol) becomes CancelledError. */
export async function answer<T>(value: T): Promise<Exclude<T, symbol>> {
  const c = await clack();
  if (c.isCancel(value)) throw new CancelledError();
  return value as Exclude<T, symbol>;
}

// Where human-readable output goes: stdout, or stderr when stdout carries --json.
let human: NodeJS.WriteStream = process.stdout;
export function humanToStderr(): void {
  human = process.stderr;
}

/** A line (or lines) for the person. */
export function out(text: string): void {
  human.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Text exactly as given (a document to copy), for the person. */
export function print(text: string): void {
  human.write(text);
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
export const dim = (s: string) => (useColor() ? `\x1b[2m${s}\x1b[22m` : s);
export const bold = (s: string) => (useColor() ? `\x1b[1m${s}\x1b[22m` : s);
export const green = (s: string) => (useColor() ? `\x1b[32m${s}\x1b[39m` : s);
export const red = (s: string) => (useColor() ? `\x1b[31m${s}\x1b[39m` : s);
export const yellow = (s: string) => (useColor() ? `\x1b[33m${s}\x1b[39m` : s);
