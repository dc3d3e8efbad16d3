// Which URL SignalWire signed. SignalWire signs the URL configured in its dashboard, without any
// `user:pass@` in it, and its docs say to verify against that configured URL rather than one rebuilt from
// the request (FACTS.md). So API_BASE_URL, credentials removed, is the only base. Rebuilding the URL from
// Host / X-Forwarded-* / Forwarded is possible only when the operator says a proxy of theirs sets them
// (--trust-proxy): from anyone else those headers let a request signed for another endpoint of the same
// SignalWire project be replayed here.
import type { IncomingMessage } from 'node:http';
import { maskCredentials, withoutCredentials } from '../url-credentials.js';

export { maskCredentials, withoutCredentials };

/** The URLs a request may have been signed for: `primary` first, `alternates()` built only when it fails. */
export interface SignedUrls {
  primary: string;
  alternates: () => string[];
}

/** The signed URLs for a request to `pathAndQuery` when the public base URL is known. */
export function fromBaseUrl(baseUrl: string, pathAndQuery: string): SignedUrls {
  const base = withoutCredentials(baseUrl).replace(/\/+$/, '');
  const primary = base + pathAndQuery;
  return { primary, alternates: () => variants([base], pathAndQuery, primary) };
}

/**
 * The signed URLs rebuilt from what a trusted proxy says: RFC 7239 `Forwarded` (its first element, the
 * proxy nearest the caller), then `X-Forwarded-Host` / `X-Forwarded-Proto`, then the Host header. A TLS
 * proxy that names no scheme is tried as https and as the scheme of this socket.
 */
export function fromForwarded(req: IncomingMessage, pathAndQuery: string): SignedUrls {
  const fwd = firstForwarded(req.headers.forwarded);
  const hosts = unique([fwd.host, firstValue(req.headers['x-forwarded-host']), req.headers.host].filter(isHost));
  const direct = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const named = [fwd.proto, firstValue(req.headers['x-forwarded-proto'])].map((p) => p?.toLowerCase()).filter(isScheme);
  const protos = unique(named.length ? named : ['https', direct]);
  const bases = hosts.flatMap((h) => protos.map((p) => `${p}://${h}`));
  const primary = (bases[0] ?? `${direct}://localhost`) + pathAndQuery;
  return { primary, alternates: () => variants(bases, pathAndQuery, primary) };
}

/** Each base + path, also with the scheme's default port toggled, as SignalWire's own validators try. */
function variants(bases: readonly string[], pathAndQuery: string, primary: string): string[] {
  const all = new Set<string>();
  for (const base of bases) {
    all.add(base + pathAndQuery);
    const toggled = toggleDefaultPort(base);
    if (toggled) all.add(toggled + pathAndQuery);
  }
  all.delete(primary);
  return [...all];
}

/** `host` and `proto` of the first element of a `Forwarded` header (RFC 7239 §4), quoted values unquoted. */
export function firstForwarded(header: string | string[] | undefined): { host?: string; proto?: string } {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return {};
  const out: { host?: string; proto?: string } = {};
  // pair *( ";" pair ) where value is a token or a quoted-string; the first "," ends the first element.
  const pair = /\s*([!#$%&'*+.^_`|~0-9a-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s"]*))\s*([;,]|$)/giy;
  for (;;) {
    const m = pair.exec(text);
    if (!m) break;
    const name = m[1]!.toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    if ((name === 'host' || name === 'proto') && out[name] === undefined) out[name] = value;
    if (m[4] !== ';') break;
  }
  return out;
}

function firstValue(h: string | string[] | undefined): string | undefined {
  const v = (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim();
  return v || undefined;
}

// A host with an optional port, or a bracketed IPv6 literal: nothing that could add a path or user part.
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
const isHost = (h: string | undefined): h is string => h !== undefined && HOST.test(h);
const isScheme = (p: string | undefined): p is string => p === 'https' || p === 'http';
const unique = <T>(list: T[]): T[] => [...new Set(list)];

/** `https://h` ↔ `https://h:443`, `http://h` ↔ `http://h:80`; undefined for other ports. */
function toggleDefaultPort(base: string): string | undefined {
  const m = /^(https?):\/\/([^/]*?)(:\d+)?(\/.*)?$/i.exec(base);
  if (!m) return undefined;
  const scheme = m[1]!;
  const port = scheme.toLowerCase() === 'https' ? ':443' : ':80';
  const [hostPart, portPart, rest = ''] = [m[2]!, m[3], m[4]];
  if (hostPart.startsWith('[') && !hostPart.endsWith(']')) return undefined;
  if (!portPart) return `${scheme}://${hostPart}${port}${rest}`;
  return portPart === port ? `${scheme}://${hostPart}${rest}` : undefined;
}
