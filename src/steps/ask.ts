// Prompts for one setting at a time, validating as the person types with the setting's own rules.
import { setting, type SettingKey } from '../settings.js';
import { check } from '../validate.js';
import { answer, clack, dim, red } from '../ui.js';
import { UsageError } from '../errors.js';
import { set, wants, type Session } from './session.js';

interface AskOptions {
  required?: boolean;
  /** Overrides the setting's label. */
  message?: string;
  placeholder?: string;
}

function validator(key: SettingKey, required: boolean) {
  const s = setting(key);
  return (raw: string | undefined) => {
    const v = (raw ?? '').trim();
    if (!v) return required ? `${s.label} is required` : undefined;
    const r = check(s, v);
    return r.ok ? undefined : r.problem;
  };
}

function normalise(key: SettingKey, raw: string): string {
  const v = raw.trim();
  if (!v) return '';
  const r = check(setting(key), v);
  return r.ok ? r.value : v;
}

export async function askText(s: Session, key: SettingKey, o: AskOptions = {}): Promise<void> {
  const def = setting(key);
  const c = await clack();
  const value = await answer(
    await c.text({
      message: o.message ?? def.label,
      placeholder: o.placeholder ?? (o.required ? undefined : 'optional: Enter to skip'),
      initialValue: s.values[key] ?? def.default ?? '',
      validate: validator(key, o.required ?? false),
    }),
  );
  set(s, key, normalise(key, value ?? ''), 'prompt');
}

/** A secret: typed masked; when one is already set, Enter keeps it (it is never shown). */
export async function askSecret(s: Session, key: SettingKey, o: AskOptions = {}): Promise<void> {
  const def = setting(key);
  const c = await clack();
  const has = Boolean(s.values[key]);
  const value = await answer(
    await c.password({
      message: `${o.message ?? def.label}${has ? dim(' (Enter keeps the current one)') : ''}`,
      mask: '•',
      validate: (raw) => (has && !raw ? undefined : validator(key, o.required ?? false)(raw)),
    }),
  );
  if (value) set(s, key, normalise(key, value), 'prompt');
}

/** A choice among the setting's suggestions, with "Other…" for free text. */
export async function askChoice(s: Session, key: SettingKey, options: readonly string[], o: AskOptions = {}): Promise<void> {
  const def = setting(key);
  const c = await clack();
  const current = s.values[key] ?? def.default;
  const list = current && !options.includes(current) ? [current, ...options] : [...options];
  const OTHER = '\0other';
  const picked = await answer(
    await c.select({
      message: o.message ?? def.label,
      initialValue: current ?? list[0],
      options: [...list.map((v) => ({ value: v, label: v })), { value: OTHER, label: 'Other…' }],
    }),
  );
  if (picked !== OTHER) return set(s, key, picked, 'prompt');
  const typed = await answer(await c.text({ message: `${def.label} (type it)`, validate: validator(key, true) }));
  set(s, key, normalise(key, typed ?? ''), 'prompt');
}

export async function confirm(message: string, initialValue = true): Promise<boolean> {
  const c = await clack();
  return answer(await c.confirm({ message, initialValue }));
}

export async function hint(text: string): Promise<void> {
  (await clack()).log.message(dim(text));
}

export interface Credential {
  key: SettingKey;
  secret?: boolean;
  placeholder?: string;
}

/**
 * Asks for the credentials that are missing, then `verify`s them live. A value the service rejects
 * (UsageError) is named in one line and all of them are asked again, prefilled; without prompts, or
 * for a service failure, the error ends the run.
 */
export async function askVerified(s: Session, fields: Credential[], verify: () => Promise<void>): Promise<void> {
  let again = false;
  for (;;) {
    for (const f of fields) {
      if (!again && !wants(s, f.key, true)) continue;
      await (f.secret ? askSecret : askText)(s, f.key, { required: true, ...(f.placeholder ? { placeholder: f.placeholder } : {}) });
    }
    try {
      return await verify();
    } catch (err) {
      if (!s.prompts || !(err instanceof UsageError)) throw err;
      (await clack()).log.error(red(err.message));
      again = true;
    }
  }
}
