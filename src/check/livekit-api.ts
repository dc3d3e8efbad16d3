// The LiveKit clients the check uses, loaded on first use (livekit-server-sdk is heavy), and the one-line
// message any LiveKit failure becomes. Never a secret in that line.
import type { LiveKitConn } from './types.js';

/** Seconds per LiveKit request: a check should say "unreachable" quickly rather than hang. */
export const REQUEST_TIMEOUT_S = 10;

export interface LiveKitApi {
  sip: import('livekit-server-sdk').SipClient;
  rooms: import('livekit-server-sdk').RoomServiceClient;
  agents: import('livekit-server-sdk').AgentDispatchClient;
}

export async function liveKitApi(conn: LiveKitConn): Promise<LiveKitApi> {
  const sdk = await import('livekit-server-sdk');
  const opts = { requestTimeout: REQUEST_TIMEOUT_S };
  return {
    sip: new sdk.SipClient(conn.url, conn.apiKey, conn.apiSecret, opts),
    rooms: new sdk.RoomServiceClient(conn.url, conn.apiKey, conn.apiSecret, opts),
    agents: new sdk.AgentDispatchClient(conn.url, conn.apiKey, conn.apiSecret, opts),
  };
}

export function hostOf(url: string): string {
  try {
    return new URL(url.replace(/^ws/, 'http')).host;
  } catch {
    return url;
  }
}

/** "LiveKit could not <what>: <why>; <fix>", one line, with the secret scrubbed out of anything the server said. */
export function liveKitProblem(err: unknown, conn: LiveKitConn, what: string): { detail: string; fix: string; auth?: boolean } {
  const host = hostOf(conn.url);
  const e = err as { name?: string; status?: number; code?: string; message?: string; cause?: { code?: string } };
  const scrub = (s: string) => (conn.apiSecret ? s.split(conn.apiSecret).join('••••') : s).replace(/\s+/g, ' ').slice(0, 200);
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return { detail: `${host} did not answer "${what}" within ${REQUEST_TIMEOUT_S} s`, fix: 'check LIVEKIT_URL and the network, then rerun' };
  if (typeof e?.status === 'number') {
    if (e.status === 401)
      return {
        detail: `LiveKit rejected the API key (401) for "${what}"`,
        fix: `check LIVEKIT_API_KEY / LIVEKIT_API_SECRET for ${conn.url} (LiveKit Cloud → Settings → API keys)`,
        auth: true,
      };
    if (e.status === 403)
      return { detail: `LiveKit refused "${what}" (403): the API key lacks a permission`, fix: 'use a key with admin rights (LiveKit Cloud → Settings → API keys)', auth: true };
    const said = e.message ? `: ${scrub(e.message)}` : '';
    if (e.status >= 500) return { detail: `LiveKit failed "${what}" (${e.status}${said})`, fix: 'a problem on the LiveKit side; see status.livekit.io and rerun' };
    return { detail: `LiveKit refused "${what}" (${e.status}${said})`, fix: `check LIVEKIT_URL (${conn.url}) and rerun` };
  }
  const code = e?.cause?.code ?? e?.code;
  return {
    detail: `cannot reach LiveKit at ${host}${code ? ` (${code})` : ''}`,
    fix: 'check LIVEKIT_URL (e.g. wss://my-app-abc123.livekit.cloud) and the network',
  };
}
