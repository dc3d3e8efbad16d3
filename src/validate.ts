// Validation and normalisation of setting values. Each returns the normalised value or throws a
// UsageError whose one line names the flag and variable and says what a good value looks like.
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { UsageError } from './errors.js';
import type { Setting } from './settings.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What the person sees for a setting in errors: "--livekit-url (LIVEKIT_URL)". */
export function describe(s: Setting): string {
  return `--${s.flag} (${s.key})`;
}

/** Returns the problem with `raw` for this setting, or the normalised value. */
export function check(s: Setting, raw: string): { ok: true; value: string } | { ok: false; problem: string } {
  const v = raw.trim();
  const fail = (problem: string) => ({ ok: false as const, problem });
  switch (s.kind) {
    case 'phone': {
      const e164 = toE164(v);
      return e164 ? { ok: true, value: e164 } : fail(`"${v}" is not a valid phone number; use E.164 like +14244851544`);
    }
    case 'livekit-url':
      return url(v, ['wss:', 'https:'], ['ws:', 'http:'], 'wss://my-app.livekit.cloud');
    case 'supabase-url':
      return url(v, ['https:'], ['http:'], 'https://<project-ref>.supabase.co');
    case 'http-url':
      return url(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`, ['https:'], ['http:'], 'https://example.com');
    case 'signalwire-space': {
      // "example" is the space's name: the host is example.signalwire.com.
      const withHost = /^[a-z0-9-]+$/i.test(v) ? `${v}.signalwire.com` : v;
      return url(/^[a-z][a-z0-9+.-]*:\/\//i.test(withHost) ? withHost : `https://${withHost}`, ['https:'], ['http:'], 'https://example.signalwire.com');
    }
    case 'host':
      return host(v);
    case 'port': {
      const n = Number(v);
      return /^\d+$/.test(v) && n >= 1 && n <= 65535 ? { ok: true, value: String(n) } : fail(`"${v}" is not a port (1-65535)`);
    }
    case 'name':
      return v === '' || /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(v)
        ? { ok: true, value: v }
        : fail(`"${v}" is not a valid name; use letters, digits, ".", "_" and "-"`);
    case 'text':
      return /[\r\n\0]/.test(v) ? fail('must be a single line') : { ok: true, value: v };
  }

  function url(value: string, secure: string[], localOnly: string[], example: string) {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      return fail(`"${value}" is not a URL; expected something like ${example}`);
    }
    if (secure.includes(u.protocol)) return { ok: true as const, value: value.replace(/\/+$/, '') };
    if (localOnly.includes(u.protocol) && LOCAL_HOSTS.has(u.hostname))
      return { ok: true as const, value: value.replace(/\/+$/, '') };
    const allowed = secure.map((p) => `${p}//`).join(' or ');
    return fail(`"${value}" must start with ${allowed} (${localOnly.map((p) => `${p}//`).join(', ')} only for localhost); e.g. ${example}`);
  }

  function host(value: string) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^sips?:/i.test(value))
      return fail(`"${value}" must be a bare host without a scheme or "sip:", e.g. abc123xyz.sip.livekit.cloud`);
    if (value.includes('@')) return fail(`"${value}" must be a bare host without a user part, e.g. abc123xyz.sip.livekit.cloud`);
    const m = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(:(\d{1,5}))?$/.exec(value);
    if (!m || (m[6] !== undefined && (Number(m[6]) < 1 || Number(m[6]) > 65535)))
      return fail(`"${value}" is not a host name, e.g. abc123xyz.sip.livekit.cloud`);
    return { ok: true as const, value: value.toLowerCase() };
  }
}

/** Normalises a value or throws a one-line UsageError naming the setting. */
export function validate(s: Setting, raw: string): string {
  const r = check(s, raw);
  if (r.ok) return r.value;
  throw new UsageError(`${describe(s)}: ${r.problem}`);
}

/** Any common phone number format to E.164; national numbers are read as US. Undefined when not a valid number. */
export function toE164(raw: string): string | undefined {
  const v = raw.trim().replace(/^sips?:/i, '').replace(/@.*$/, '');
  if (!/\d/.test(v)) return undefined;
  const p = parsePhoneNumberFromString(v, 'US');
  return p && p.isValid() ? p.number : undefined;
}
