// X-SignalWire-Signature for SWML (JSON) requests: lowercase hex of HMAC-SHA1, keyed with the project's
// Signing Key, over the full URL SignalWire requested followed by the raw request body.
// Source: SignalWire's SDKs, signalwire-js packages/web-api/src/validateRequest.ts and
// signalwire-typescript src/WebhookValidator.ts ("Scheme A (RELAY/SWML/JSON)"). The base64 form-parameter
// scheme of their compatibility SDK is for cXML/LaML webhooks, which this endpoint does not serve.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SIGNATURE_HEADER = 'x-signalwire-signature';

/** The signature SignalWire sends for a request to `url` with this body. */
export function swmlSignature(signingKey: string, url: string, rawBody: Buffer | string): string {
  return createHmac('sha1', signingKey).update(url, 'utf8').update(rawBody).digest('hex');
}

/**
 * True when `header` is the signature of the body for `url`, or, failing that, for one of `alternates()`
 * (only built when needed). Each comparison is constant-time.
 */
export function verifySignature(
  signingKey: string,
  header: string | undefined,
  url: string,
  rawBody: Buffer,
  alternates: () => readonly string[] = () => [],
): boolean {
  const hex = header?.trim();
  // A SHA-1 digest is 40 hex characters; rejecting other shapes early tells an attacker nothing.
  if (!hex || !/^[0-9a-f]{40}$/i.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const matches = (u: string) => timingSafeEqual(given, createHmac('sha1', signingKey).update(u, 'utf8').update(rawBody).digest());
  return matches(url) || alternates().some(matches);
}

/**
 * The URLs SignalWire may have signed for a request to this server: `primary` is the likely one,
 * `alternates` the rest. With a public base URL (API_BASE_URL, what was pasted into SignalWire) that is the
 * only base; otherwise the base is rebuilt from X-Forwarded-Proto / X-Forwarded-Host (a TLS-terminating
 * proxy), then from the Host header. Each also with the scheme's default port toggled, as SignalWire's own
 * validators do. Trusting these headers is safe here: every candidate must still carry an HMAC made with
 * the signing key.
 */
export function signedUrls(req: IncomingMessage, pathAndQuery: string, publicBaseUrl?: string): { primary: string; alternates: () => string[] } {
  const bases: string[] = [];
  if (publicBaseUrl) {
    bases.push(publicBaseUrl.endsWith('/') ? publicBaseUrl.replace(/\/+$/, '') : publicBaseUrl);
  } else {
    const direct = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const host = req.headers.host;
    const fwdHost = firstValue(req.headers['x-forwarded-host']) ?? host;
    const fwdProto = firstValue(req.headers['x-forwarded-proto'])?.toLowerCase() ?? direct;
    if (fwdHost) bases.push(`${fwdProto}://${fwdHost}`);
    if (host) bases.push(`${direct}://${host}`);
  }
  const primary = (bases[0] ?? '') + pathAndQuery;
  const alternates = () => {
    const all = new Set<string>();
    for (const base of bases) {
      all.add(base + pathAndQuery);
      const toggled = toggleDefaultPort(base);
      if (toggled) all.add(toggled + pathAndQuery);
    }
    all.delete(primary);
    return [...all];
  };
  return { primary, alternates };
}

function firstValue(h: string | string[] | undefined): string | undefined {
  const v = (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim();
  return v || undefined;
}

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
