// Prompts for one setting at a time from the setting's own data (label, placeholder, hint, where to find it,
// choices, whether the setup needs it), validating as the person types with the setting's own rules.
// Every prompt goes through one Prompter: clack on a terminal, a scripted one in the step tests.
import { setting, type SettingKey } from '../settings.js';
import { check } from '../validate.js';
import { dashboardLink } from '../dashboard-links.js';
import { answer, clack, dim, red } from '../ui.js';
import { ServiceError, UsageError } from '../errors.js';
import { isRequired, set, wants, type Session } from './session.js';

type Validate = (raw: string | undefined) => string | undefined;
export interface Choice<T extends string = string> {
  value: T;
  label: string;
  hint?: string;
}

/** What the steps may ask and say. Each method resolves with the answer; Ctrl-C rejects with CancelledError. */
export interface Prompter {
  text(o: { message: string; placeholder?: string; initialValue?: string; validate?: Validate }): Promise<string>;
  password(o: { message: string; validate?: Validate }): Promise<string>;
  select<T extends string>(o: { message: string; options: Choice<T>[]; initialValue?: T }): Promise<T>;
  confirm(o: { message: string; initialValue?: boolean }): Promise<boolean>;
  log(level: 'info' | 'warn' | 'error' | 'success' | 'message', text: string): void | Promise<void>;
}

const clackPrompter: Prompter = {
  text: async (o) => (await answer(await (await clack()).text(o))) ?? '',
  password: async (o) => (await answer(await (await clack()).password({ ...o, mask: '•' }))) ?? '',
  select: async <T extends string>(o: { message: string; options: Choice<T>[]; initialValue?: T }) =>
    // clack's option type is a conditional one that a generic T cannot satisfy; the shape is the same.
    (await answer(await (await clack()).select(o as never))) as T,
  confirm: async (o) => answer(await (await clack()).confirm(o)),
  log: async (level, text) => (await clack()).log[level](text),
};

let prompter: Prompter = clackPrompter;

/** Replaces the prompter (the step tests script one); returns a function that puts the previous one back. */
export function usePrompter(p: Prompter): () => void {
  const before = prompter;
  prompter = p;
  return () => {
    prompter = before;
  };
}

export const prompt = (): Prompter => prompter;

/** True while a replaced prompter answers (the step tests): nothing else should draw on the terminal then. */
export const promptsReplaced = (): boolean => prompter !== clackPrompter;

interface AskOptions {
  /** Default: whether the setup needs the setting (its requiredBy). */
  required?: boolean;
  /** Where the prefilled value came from, e.g. "from agent.py:42"; shown after the label. */
  from?: string;
}

// The session's other values go to check(): some problems only they reveal (the SIP domain set to the
// LIVEKIT_URL host is refused saying so).
function validator(session: Session, key: SettingKey, required: boolean): Validate {
  const s = setting(key);
  return (raw) => {
    const v = (raw ?? '').trim();
    if (!v) return required ? `${s.label} is required` : undefined;
    const r = check(s, v, session.values);
    return r.ok ? undefined : r.problem;
  };
}

function normalise(session: Session, key: SettingKey, raw: string): string {
  const v = raw.trim();
  if (!v) return '';
  const r = check(setting(key), v, session.values);
  return r.ok ? r.value : v;
}

/** The prompt's text: the label, where a prefilled value came from, the setting's hint, and where to find the value. */
function messageFor(s: Session, key: SettingKey, o: AskOptions, extra = ''): string {
  const def = setting(key);
  // Where a value nobody typed came from ("from lk config project `my-app`", "from agent.py:42").
  const from = o.from ?? (s.values[key] && s.origin[key] !== 'prompt' ? s.from[key] : undefined);
  const link = def.link && dashboardLink(def.link, { liveKitProject: s.liveKitProject, supabaseUrl: s.values.SUPABASE_URL });
  const where = [def.where, link].filter(Boolean).join(': ');
  return [`${def.label}${from ? dim(` (${from})`) : ''}${extra}`, ...[def.hint, where].filter(Boolean).map((t) => dim(t!))].join('\n');
}

export async function askText(s: Session, key: SettingKey, o: AskOptions = {}): Promise<void> {
  const def = setting(key);
  const required = o.required ?? isRequired(s, key);
  const value = await prompter.text({
    message: messageFor(s, key, o),
    placeholder: def.placeholder ?? (required ? undefined : 'optional: Enter to skip'),
    initialValue: s.values[key] ?? def.default ?? '',
    validate: validator(s, key, required),
  });
  set(s, key, normalise(s, key, value), 'prompt');
}

/**
 * A secret: typed masked; when one is set, Enter keeps it (it is never shown). A secret a service rejected
 * is dropped before it is asked again (askVerified), so it is never offered back.
 */
export async function askSecret(s: Session, key: SettingKey, o: AskOptions = {}): Promise<void> {
  const has = Boolean(s.values[key]);
  const keep = has ? dim(s.origin[key] === 'prompt' ? ' (Enter keeps the one you typed)' : ' (Enter keeps the current one)') : '';
  const value = await prompter.password({
    message: messageFor(s, key, o, keep),
    validate: (raw) => (has && !raw ? undefined : validator(s, key, o.required ?? isRequired(s, key))(raw)),
  });
  if (value) set(s, key, normalise(s, key, value), 'prompt');
}

/** A choice among `options` (by default the setting's choices), with "Other…" for free text unless the setting takes only its choices. */
export async function askChoice(s: Session, key: SettingKey, options: readonly string[] = setting(key).choices ?? []): Promise<void> {
  const def = setting(key);
  const current = s.values[key] ?? def.default;
  const open = !def.onlyChoices;
  const list = open && current && !options.includes(current) ? [current, ...options] : [...options];
  const OTHER = '\0other';
  const picked = await prompter.select({
    message: def.label,
    initialValue: current && list.includes(current) ? current : list[0],
    options: [...list.map((v) => ({ value: v, label: v })), ...(open ? [{ value: OTHER, label: 'Other…' }] : [])],
  });
  if (picked !== OTHER) return set(s, key, picked, 'prompt');
  const typed = await prompter.text({ message: `${def.label} (type it)`, validate: validator(s, key, true) });
  set(s, key, normalise(s, key, typed), 'prompt');
}

export async function confirm(message: string, initialValue = true): Promise<boolean> {
  return prompter.confirm({ message, initialValue });
}

export async function select<T extends string>(message: string, options: Choice<T>[], initialValue?: T): Promise<T> {
  return prompter.select(initialValue === undefined ? { message, options } : { message, options, initialValue });
}

export async function say(level: Parameters<Prompter['log']>[0], text: string): Promise<void> {
  await prompter.log(level, text);
}

export async function hint(text: string): Promise<void> {
  await prompter.log('message', dim(text));
}

/** A timeout or a 5xx: the same values may work a moment later. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  const cause = (err.cause ?? {}) as { name?: string };
  return cause.name === 'TimeoutError' || cause.name === 'AbortError' || /did not answer|\(5\d\d\b|answered 5\d\d\b/.test(err.message);
}

/**
 * What a step does with a failure it knows better than askVerified (a number missing from the SignalWire
 * space, say): 'verify' checks again without asking, 'ask' asks every field again, 'done' goes on.
 * undefined leaves the failure to askVerified.
 */
export type Recover = (err: Error) => Promise<'verify' | 'ask' | 'done' | undefined>;

/**
 * Asks for the credentials that are missing, then `verify`s them live. Interactively, any failure (a
 * rejected key, a host that does not resolve, a timeout, a 5xx) is named in one line and the fields it
 * blames (the error's `settings`; all of them when it names none) are asked again, prefilled with what was
 * typed, the others kept; a rejected secret is asked afresh; a timeout or 5xx also offers "Try again".
 * Without prompts the error ends the run with its own exit code.
 */
export async function askVerified(s: Session, keys: SettingKey[], verify: () => Promise<void>, recover?: Recover): Promise<void> {
  let ask: 'missing' | readonly SettingKey[] = 'missing';
  for (;;) {
    for (const key of keys) {
      if (ask === 'missing' ? !wants(s, key, true) : !ask.includes(key)) continue;
      await (setting(key).secret ? askSecret : askText)(s, key, { required: true });
    }
    let failure: UsageError | ServiceError;
    try {
      return await verify();
    } catch (err) {
      if (!s.prompts || !(err instanceof UsageError || err instanceof ServiceError)) throw err;
      failure = err;
    }
    await say('error', red(failure.message));
    const next = recover ? await recover(failure) : undefined;
    if (next === 'done') return;
    if (next) {
      ask = next === 'verify' ? [] : keys;
      continue;
    }
    const blamed = keys.filter((k) => failure.settings.includes(k));
    const toAsk = blamed.length ? blamed : keys;
    if (isTransient(failure)) {
      const choice = await select('Try again, or change the values?', [
        { value: 'retry', label: 'Try again' },
        { value: 'change', label: 'Change the values' },
      ]);
      ask = choice === 'retry' ? [] : toAsk;
      continue;
    }
    // The service refused what was typed: a secret it rejected is not "the current one" any more.
    if (failure instanceof UsageError) for (const key of toAsk) if (setting(key).secret) set(s, key, undefined, 'prompt');
    ask = toAsk;
  }
}
