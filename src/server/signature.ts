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

/** True when `header` is the signature of the body for one of the URLs. Compared in constant time. */
export function verifySignature(signingKey: string, header: string | undefined, urls: readonly string[], rawBody: Buffer): boolean {
  if (!header) return false;
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  let ok = false;
  for (const url of urls) {
    const expected = Buffer.from(swmlSignature(signingKey, url, rawBody), 'utf8');
    // The expected length is fixed (40), so a length mismatch tells an attacker nothing.
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/**
 * The URLs SignalWire may have signed for this request. With a public base URL (API_BASE_URL, what was
 * pasted into SignalWire) that is the only base; otherwise the URL is rebuilt from X-Forwarded-Proto /
 * X-Forwarded-Host (a TLS-terminating proxy) and from the Host header. Each also with the scheme's default
 * port toggled, as SignalWire's own validators do. Trusting these headers is safe here: every candidate
 * must still carry an HMAC made with the signing key.
 */
export function signedUrlCandidates(req: IncomingMessage, pathAndQuery: string, publicBaseUrl?: string): string[] {
  const bases: string[] = [];
  if (publicBaseUrl) {
    bases.push(publicBaseUrl.replace(/\/+$/, ''));
  } else {
    const direct = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const host = req.headers.host;
    const fwdHost = firstValue(req.headers['x-forwarded-host']) ?? host;
    const fwdProto = firstValue(req.headers['x-forwarded-proto']) ?? direct;
    if (fwdHost) bases.push(`${fwdProto.toLowerCase()}://${fwdHost}`);
    if (host) bases.push(`${direct}://${host}`);
  }
  const urls = new Set<string>();
  for (const base of bases) {
    urls.add(base + pathAndQuery);
    const toggled = toggleDefaultPort(base);
    if (toggled) urls.add(toggled + pathAndQuery);
  }
  return [...urls];
}

function firstValue(h: string | string[] | undefined): string | undefined {
  const v = (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim();
  return v || undefined;
}

/** `https://h` ↔ `https://h:443`, `http://h` ↔ `http://h:80`; undefined for other ports. */
function toggleDefaultPort(base: string): string | undefined {
  const m = /^(https?):\/\/([^/]*?)(:\d+)?(\/.*)?$/i.exec(base);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const port = scheme === 'https' ? ':443' : ':80';
  const [hostPart, portPart, rest = ''] = [m[2]!, m[3], m[4]];
  if (hostPart.startsWith('[') && !hostPart.endsWith(']')) return undefined;
  if (!portPart) return `${m[1]}://${hostPart}${port}${rest}`;
  return portPart === port ? `${m[1]}://${hostPart}${rest}` : undefined;
}
