// Validation and normalisation of setting values. Each returns the normalised value or throws a
// UsageError whose one line names the flag and variable and says what a good value looks like.
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { UsageError } from './errors.js';
import { maskCredentials } from './url-credentials.js';
import type { Setting, Values } from './settings.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What the person sees for a setting in errors: "--livekit-url (LIVEKIT_URL)". */
export function describe(s: Setting): string {
  return `--${s.flag} (${s.key})`;
}

/**
 * Returns the problem with `raw` for this setting, or the normalised value. `others` are the settings known
 * so far, for a problem only they reveal (the SIP domain set to LIVEKIT_URL's host).
 */
export function check(s: Setting, raw: string, others: Values = {}): { ok: true; value: string } | { ok: false; problem: string } {
  const v = raw.trim();
  const fail = (problem: string) => ({ ok: false as const, problem });
  if (s.onlyChoices && s.choices && v !== '' && !s.choices.includes(v)) return fail(`"${v}" is not ${s.choices.join(' or ')}`);
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
    case 'text': {
      if (/[\r\n\0]/.test(v)) return fail('must be a single line');
      const swapped = swappedSignalWire(s.key, v);
      return swapped ? fail(swapped) : { ok: true, value: v };
    }
  }

  function url(value: string, secure: string[], localOnly: string[], example: string) {
    // A rejected URL is echoed back; a password in it never is.
    const shown = maskCredentials(value);
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      return fail(`"${shown}" is not a URL; expected something like ${example}`);
    }
    if (secure.includes(u.protocol)) return { ok: true as const, value: value.replace(/\/+$/, '') };
    if (localOnly.includes(u.protocol) && LOCAL_HOSTS.has(u.hostname))
      return { ok: true as const, value: value.replace(/\/+$/, '') };
    const allowed = secure.map((p) => `${p}//`).join(' or ');
    return fail(`"${shown}" must start with ${allowed} (${localOnly.map((p) => `${p}//`).join(', ')} only for localhost); e.g. ${example}`);
  }

  function host(value: string) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^sips?:/i.test(value))
      return fail(`"${maskUserPart(maskCredentials(value))}" must be a bare host without a scheme or "sip:", e.g. abc123xyz.sip.livekit.cloud`);
    if (value.includes('@'))
      return fail(`"${maskUserPart(value)}" must be a bare host without a user part, e.g. abc123xyz.sip.livekit.cloud`);
    const m = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(:(\d{1,5}))?$/.exec(value);
    if (/^p_[a-z0-9]+\.sip\.livekit\.cloud(:\d+)?$/i.test(value))
      return fail(`"${value}": remove the "p_" of the project id, e.g. ${value.slice(2).toLowerCase()} (LiveKit Cloud → Settings → Project → SIP URI)`);
    if (!m || (m[6] !== undefined && (Number(m[6]) < 1 || Number(m[6]) > 65535)))
      return fail(`"${value}" is not a host name, e.g. abc123xyz.sip.livekit.cloud`);
    const name = m[1]!.toLowerCase();
    const cloud = cloudSipProblem(name, others.LIVEKIT_URL);
    return cloud ? fail(cloud) : { ok: true as const, value: value.toLowerCase() };
  }
}

const CLOUD_SIP_SHAPE = 'LiveKit Cloud SIP hosts are <project id without "p_">.sip.livekit.cloud, e.g. abc123xyz.sip.livekit.cloud (LiveKit Cloud → Settings → Project → SIP URI)';

/**
 * On LiveKit Cloud the SIP URI host is `<project id>.sip.livekit.cloud`; any other `*.livekit.cloud` host
 * (the project URL's, or the guide's `sip-abc.livekit.cloud`) takes no SIP calls. Other hosts are self-hosted.
 */
function cloudSipProblem(host: string, liveKitUrl: string | undefined): string | undefined {
  if (host !== 'livekit.cloud' && !host.endsWith('.livekit.cloud')) return undefined;
  if (/^[a-z0-9-]+\.sip\.livekit\.cloud$/.test(host)) return undefined;
  if (liveKitUrl && hostOf(liveKitUrl) === host) return `"${host}" is the host of LIVEKIT_URL, not the SIP URI host: ${CLOUD_SIP_SHAPE}`;
  if (/^sip-[a-z0-9-]+\.livekit\.cloud$/.test(host)) return `"${host}" is not a LiveKit Cloud SIP host (the setup guide's form is out of date): ${CLOUD_SIP_SHAPE}`;
  if (/^[a-z0-9-]+\.livekit\.cloud$/.test(host)) return `"${host}" looks like a LiveKit project URL's host, not the SIP URI host: ${CLOUD_SIP_SHAPE}`;
  return `"${host}" is not a LiveKit Cloud SIP host: ${CLOUD_SIP_SHAPE}`;
}

/** `user:pw@host` → `user:••••@host`: the echo of a rejected host keeps no password. */
function maskUserPart(value: string): string {
  const at = value.lastIndexOf('@');
  if (at === -1 || value.includes('••••')) return value;
  const user = value.slice(0, at);
  return user.includes(':') ? `${user.split(':')[0]}:••••${value.slice(at)}` : value;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Says the words "swapped", so a merged report of both (config.ts) can be told apart. */
export const SWAPPED = 'the SignalWire project ID and API token look swapped';

/**
 * SignalWire's project ID is a UUID and its API tokens start with PT: one pasted into the other's place is
 * spotted before any request. Never echoes the value (the token is a secret).
 */
function swappedSignalWire(key: string, v: string): string | undefined {
  if (key === 'SIGNALWIRE_PROJECT_ID' && /^PT[0-9a-z]/i.test(v) && !UUID.test(v))
    return `this is an API token (it starts with PT), not the project ID (a UUID): ${SWAPPED}?`;
  if (key === 'SIGNALWIRE_API_TOKEN' && UUID.test(v)) return `this is a project ID (a UUID), not the API token (it starts with PT): ${SWAPPED}?`;
  return undefined;
}

/** Normalises a value or throws a one-line UsageError naming the setting. */
export function validate(s: Setting, raw: string, others: Values = {}): string {
  const r = check(s, raw, others);
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
