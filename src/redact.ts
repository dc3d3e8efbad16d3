// The one redactor. Every line the tool prints passes through here: each secret of the run (every secret
// setting's value, whatever a service was given) becomes ••••, and control characters from databases or
// services are escaped so they cannot drive the terminal.
import { SETTINGS, type Values } from './settings.js';

export const REDACTED = '••••';

// Shorter values would blank out ordinary words; every real key or password is longer.
const MIN_SECRET = 4;

const known = new Set<string>();

/** Remembers a secret for the rest of the run: from now on no printed line shows it. */
export function rememberSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.trim().length >= MIN_SECRET) known.add(value);
}

/** Remembers every secret setting's value in `values` (keys are variable names; aliases count). */
export function rememberSecrets(values: Readonly<Record<string, string | undefined>>): void {
  for (const def of SETTINGS) {
    if (!('secret' in def && def.secret)) continue;
    for (const name of [def.key, ...('aliases' in def ? def.aliases : [])]) rememberSecret(values[name]);
  }
}

/** Every secret known so far. */
export function knownSecrets(): string[] {
  return [...known];
}

// How a secret may appear in text besides itself: JSON-escaped (inside a JSON body) and URL-encoded.
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  let uri = secret;
  try {
    uri = encodeURIComponent(secret);
  } catch {
    // a lone surrogate: no URL carries it either
  }
  return [...new Set([secret, json, uri])];
}

// Credentials a service may echo that the run never knew: a password in a URL, an Authorization header,
// a JSON field named like a secret. Masks ("********", "••••") are left as they are.
const SECRET_FIELD =
  /("(?:password|authPassword|auth_password|secret|api_secret|apiSecret|api_token|apiToken|token|api_key|apiKey|service_key|serviceKey)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi;
const URL_PASSWORD = /(\/\/[^/@:\s]*):([^/@\s]+)@/g;
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const isMask = (v: string) => /^[*•.…]*$/.test(v);

/**
 * `text` with each of `secrets` and every secret remembered for the run replaced by ••••, plus the
 * credential shapes above (`except`: secrets a document exists to carry). Longer secrets go first, so
 * one that contains another is hidden whole.
 */
export function redact(text: string, secrets: Iterable<string | undefined | null> = [], except: Iterable<string | undefined> = []): string {
  const all = new Set(known);
  for (const s of secrets) if (typeof s === 'string' && s.trim().length >= MIN_SECRET) all.add(s);
  const keep = new Set<string>();
  for (const s of except) if (s) (all.delete(s), spellings(s).forEach((f) => keep.add(f)));
  let out = text;
  for (const secret of [...all].sort((a, b) => b.length - a.length))
    for (const form of spellings(secret)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  const leave = (v: string) => isMask(v) || keep.has(v);
  out = out.replace(SECRET_FIELD, (whole, head: string, v: string) => (leave(v) ? whole : `${head}${REDACTED}"`));
  out = out.replace(URL_PASSWORD, (whole, head: string, v: string) => (leave(v) ? whole : `${head}:${REDACTED}@`));
  return out.replace(AUTH_HEADER, `$1 ${REDACTED}`);
}

// Our own styling (bold, dim, red, green, yellow and their resets) is the only escape sequence let through.
const OUR_SGR = /^\x1b\[(?:0|1|2|22|31|32|33|39)?m/;
// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const escapeChar = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Control characters as visible \uXXXX escapes (valid inside JSON strings too). Newlines and tabs stay;
 * with `keepStyle`, so do the colour sequences this tool writes itself.
 */
export function escapeControls(text: string, opts: { keepStyle?: boolean } = {}): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n' || ch === '\t') {
      out += ch;
      i++;
      continue;
    }
    if (opts.keepStyle && ch === '\x1b') {
      const m = OUR_SGR.exec(text.slice(i, i + 6));
      if (m) {
        out += m[0];
        i += m[0].length;
        continue;
      }
    }
    out += CONTROL.test(ch) ? escapeChar(ch) : ch;
    i++;
  }
  return out;
}

/** What a printed line becomes: secrets redacted, foreign control characters escaped, our colours kept. */
export function shown(text: string, secrets: Iterable<string | undefined | null> = []): string {
  return escapeControls(redact(text, secrets), { keepStyle: true });
}

/** A failure as one line (a check hop's detail): every secret of the run, and these values' secrets, redacted. */
export function oneLine(err: unknown, values: Values): string {
  const secrets = SETTINGS.filter((s) => 'secret' in s && s.secret).map((s) => values[s.key]);
  return redactLine(err instanceof Error ? err.message : String(err), secrets);
}

/** One line, at most `max` characters, secrets redacted: for a service's error text inside a message. */
export function redactLine(text: string, secrets: Iterable<string | undefined | null> = [], max = 300): string {
  const s = redact(text, secrets).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
