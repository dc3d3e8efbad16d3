// Drives the built binary in a real pseudo-terminal and reads the screen through a headless terminal
// emulator, so tests see what a person sees (not the raw escape-code stream).
import { spawn, type IPty } from 'node-pty';
import xtermHeadless from '@xterm/headless';
import { BIN, isolatedEnv } from './cli.ts';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');

export const KEY = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  right: '\x1b[C',
  ctrlC: '\x03',
  backspace: '\x7f',
  /** Selects everything typed in a clack text prompt's prefilled value and deletes it. */
  clearLine: '\x15',
} as const;

export interface Session {
  /** Everything written so far, escape codes stripped (a transcript: shows every frame ever drawn). */
  transcript(): string;
  /** Everything written so far, escape codes included. */
  raw(): string;
  /** The current screen (visible lines plus scrollback), as text. */
  screen(): string;
  /** Screen rows that continue the row above because the text overflowed the width (a soft wrap). */
  overflowed(): string[];
  write(data: string): void;
  /** Waits until the screen (or transcript) matches; fails with the screen when it does not in time. */
  waitFor(pattern: RegExp | string, opts?: { timeoutMs?: number; in?: 'screen' | 'transcript' }): Promise<void>;
  exited: Promise<number>;
  kill(): void;
  /** Sends a signal to the program (as `kill -TERM <pid>` would). */
  signal(name: NodeJS.Signals): void;
}

// A test that fails half-way must not leave its program running.
const live = new Set<IPty>();
process.on('exit', () => live.forEach((p) => p.kill()));

export function startPty(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; cols?: number; rows?: number } = {}): Session {
  const cols = opts.cols ?? 120;
  const rows = opts.rows ?? 50;
  const env = isolatedEnv(opts.env, { TERM: 'xterm-256color', LANG: 'C.UTF-8' });
  const term = new Terminal({ cols, rows, scrollback: 5000, allowProposedApi: true });
  const pty: IPty = spawn(process.execPath, [BIN, ...args], { name: 'xterm-256color', cols, rows, cwd: opts.cwd ?? process.cwd(), env });
  let raw = '';
  let pending = Promise.resolve();
  pty.onData((d) => {
    raw += d;
    pending = pending.then(() => new Promise<void>((r) => term.write(d, r)));
  });
  live.add(pty);
  const exited = new Promise<number>((resolve) =>
    pty.onExit(({ exitCode }) => {
      live.delete(pty);
      resolve(exitCode);
    }),
  );

  const screen = () => {
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').replace(/\n+$/, '');
  };
  const transcript = () => raw.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');

  const overflowed = () => {
    const buf = term.buffer.active;
    const rows: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const line = buf.getLine(i);
      if (line?.isWrapped) rows.push(`${buf.getLine(i - 1)?.translateToString(true) ?? ''}⏎${line.translateToString(true)}`);
    }
    return rows;
  };

  return {
    raw: () => raw,
    transcript,
    screen,
    overflowed,
    write: (d) => pty.write(d),
    async waitFor(pattern, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 10_000);
      const test = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
      for (;;) {
        await pending;
        const text = o.in === 'transcript' ? transcript() : screen();
        if (test(text)) return;
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}. Screen:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    exited: exited.then(async (c) => {
      await pending;
      return c;
    }),
    kill: () => pty.kill(),
    signal: (name) => process.kill(pty.pid, name),
  };
}
