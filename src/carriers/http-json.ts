// What the carriers' HTTP clients share: one request with a time limit and no redirects followed, its body read as
// JSON, and a network failure said in one line that names the host and the setting that points there.
import { ServiceError } from '../errors.js';
import { seconds } from '../timing.js';

/** The body as JSON, or undefined when it is empty or not JSON (an HTML error page from a proxy, say). */
export function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** The host of a URL for a message, or the text itself when it is not a URL. */
export function hostOf(u: string): string {
  try {
    return new URL(u).host;
  } catch {
    return u;
  }
}

export interface Send {
  service: 'Twilio' | 'Telnyx';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** For messages: "list phone numbers". */
  what: string;
  timeoutMs: number;
  /** The setting that holds the base URL, named when the host cannot be reached. */
  urlSetting: string;
}

/** Sends one request; any answer comes back as its status and JSON body, a network failure as one clear line. */
export async function sendJson(r: Send): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual', signal: AbortSignal.timeout(r.timeoutMs) });
    return { status: res.status, body: parseJson(await res.text()) };
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string } };
    const host = hostOf(r.url);
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
      throw new ServiceError(r.service, `${host} did not answer "${r.what}" within ${seconds(r.timeoutMs)}: check the network and rerun`, { cause: error });
    const code = e?.cause?.code ? ` (${e.cause.code})` : '';
    throw new ServiceError(r.service, `Cannot reach ${r.service} at ${host}${code}: check the network or ${r.urlSetting}`, { cause: error, settings: [r.urlSetting] });
  }
}
