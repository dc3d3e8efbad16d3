// X-SignalWire-Signature for SWML (JSON) requests: lowercase hex of HMAC-SHA1, keyed with the project's
// Signing Key, over the full URL SignalWire requested followed by the raw request body.
// Source: SignalWire's SDKs, signalwire-js packages/web-api/src/validateRequest.ts and
// signalwire-typescript src/WebhookValidator.ts ("Scheme A (RELAY/SWML/JSON)"). The base64 form-parameter
// scheme of their compatibility SDK is for cXML/LaML webhooks, which this endpoint does not serve.
import { createHmac, timingSafeEqual } from 'node:crypto';

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
