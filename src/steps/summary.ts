// Step 8: the closing lines, and the command that repeats this run without prompts (never with a secret:
// credentials stay in .env, per-number values in the database row).
import { withDefaults } from '../config.js';
import { NUMBER_KEYS, setting, type SettingKey, type Values } from '../settings.js';
import { clack, dim, out, yellow } from '../ui.js';
import type { Session } from './session.js';

function pick(v: Values, keys: SettingKey[]): Values {
  return Object.fromEntries(keys.map((k) => [k, v[k]]));
}

function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function nextTimeCommand(s: Session): string {
  const parts = ['npx create-sip-inbound --yes'];
  // Defaults fill themselves in again; only what differs from them is worth repeating.
  // (Models default per chosen provider; providers and status to the settings' own defaults.)
  const chosen = { STT_PROVIDER: s.values.STT_PROVIDER, TTS_PROVIDER: s.values.TTS_PROVIDER, LLM_PROVIDER: s.values.LLM_PROVIDER };
  const defaults = { ...withDefaults(chosen), ...pick(withDefaults({}), ['PHONE_STATUS', 'STT_PROVIDER', 'TTS_PROVIDER', 'LLM_PROVIDER']) };
  for (const key of NUMBER_KEYS) {
    const v = s.values[key];
    const def = setting(key);
    if (v === undefined || def.secret || s.origin[key] === 'default' || (key !== 'PHONE_NUMBER' && defaults[key] === v)) continue;
    parts.push(`--${def.flag} ${shellQuote(v)}`);
  }
  if (s.ctx.envFile !== '.env') parts.push(`-f ${shellQuote(s.ctx.envFile)}`);
  return parts.join(' ');
}

export async function summary(s: Session, headline: string): Promise<void> {
  for (const n of s.notes) out(yellow(`! ${n}`));
  out(`\nTo skip the prompts next time: ${nextTimeCommand(s)}`);
  if (s.prompts) (await clack()).outro(headline);
  else out(dim(headline));
}
