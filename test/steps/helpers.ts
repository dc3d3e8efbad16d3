// Step tests: a session as the wizard makes it, and a scripted prompter that answers each prompt in order,
// checking that the prompt is the one expected and that the answer passes the prompt's own validation.
import assert from 'node:assert/strict';
import { testContext } from '../helpers/context.ts';
import type { Context } from '../../src/context.ts';
import { usePrompter, type Prompter } from '../../src/steps/ask.ts';
import { createSession, type Session } from '../../src/steps/session.ts';
import type { Values } from '../../src/settings.ts';

/** An answer: text to type ('' takes the prefilled value), a choice's value, a yes/no, or a function of the prompt. */
export type Answer = string | boolean | ((p: Asked) => string | boolean);
export interface Asked {
  kind: 'text' | 'password' | 'select' | 'confirm';
  message: string;
  initialValue?: unknown;
  options?: Array<{ value: string; label: string }>;
  /** The prompt's own validation (text and password prompts), to see what it says of an answer. */
  validate?: (raw: string | undefined) => string | undefined;
}

export interface Script {
  /** Every prompt shown, in order. */
  asked: Asked[];
  /** Every line logged, as "level: text". */
  logs: string[];
  /** Puts clack back and fails when answers were left over. */
  done(): void;
}

const plain = (t: string) => t.replace(/\x1b\[[0-9;]*m/g, '');

export function script(steps: Array<[RegExp | string, Answer]>): Script {
  const queue = [...steps];
  const asked: Asked[] = [];
  const logs: string[] = [];
  const next = (p: Asked): string | boolean => {
    asked.push(p);
    const step = queue.shift();
    assert.ok(step, `unexpected prompt: ${p.message}`);
    const [want, a] = step;
    const m = plain(p.message);
    assert.ok(typeof want === 'string' ? m.includes(want) : want.test(m), `expected a prompt matching ${want}, got: ${m}`);
    return typeof a === 'function' ? a(p) : a;
  };
  const p: Prompter = {
    async text(o) {
      const a = next({ kind: 'text', message: o.message, initialValue: o.initialValue, ...(o.validate ? { validate: o.validate } : {}) });
      const v = a === '' ? (o.initialValue ?? '') : String(a);
      const problem = o.validate?.(v);
      assert.equal(problem, undefined, `the answer "${v}" failed validation: ${problem}`);
      return v;
    },
    async password(o) {
      const v = String(next({ kind: 'password', message: o.message, ...(o.validate ? { validate: o.validate } : {}) }));
      const problem = o.validate?.(v);
      assert.equal(problem, undefined, `the secret answer failed validation: ${problem}`);
      return v;
    },
    async select(o) {
      const a = next({ kind: 'select', message: o.message, initialValue: o.initialValue, options: o.options });
      const v = a === '' ? (o.initialValue ?? o.options[0]!.value) : a;
      assert.ok(o.options.some((x) => x.value === v), `"${v}" is not one of ${o.options.map((x) => x.value).join(', ')}`);
      return v as never;
    },
    async confirm(o) {
      const a = next({ kind: 'confirm', message: o.message, initialValue: o.initialValue });
      return a === '' ? (o.initialValue ?? true) : Boolean(a);
    },
    log(level, text) {
      logs.push(`${level}: ${plain(text)}`);
    },
  };
  const restore = usePrompter(p);
  return {
    asked,
    logs,
    done() {
      restore();
      assert.deepEqual(queue.map(([w]) => String(w)), [], 'prompts expected but never shown');
    },
  };
}

export function session(values: Values = {}, ctx: Partial<Context> = {}): Session {
  const full = testContext({
    values,
    sources: Object.fromEntries(Object.keys(values).map((k) => [k, 'env'])),
    envFile: '/nonexistent/.env',
    interactive: true,
    yes: false,
    ...ctx,
  });
  return createSession(full);
}

/** The LiveKit step's answers, typed in order: the stand-in's credentials, a SIP domain, no agent name. */
export function liveKitAnswers(lk: { url: string; apiKey: string; apiSecret: string }): Array<[string, Answer]> {
  return [
    ['LiveKit URL', lk.url],
    ['LiveKit API key', lk.apiKey],
    ['LiveKit API secret', lk.apiSecret],
    ['LiveKit SIP domain', 'abc123.sip.livekit.cloud'],
    ['Agent name', ''],
  ];
}
