// The LiveKit clients the check uses, loaded on first use (livekit-server-sdk is heavy), and the one-line
// detail and fix any LiveKit failure becomes (the LiveKit service's wording). Never a secret in either.
import { UsageError } from '../errors.js';
import { liveKitError } from '../services/livekit.js';
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
  // No region failover: it prints warnings and multiplies the wait; the check wants one clear answer.
  const opts = { requestTimeout: REQUEST_TIMEOUT_S, failover: false };
  return {
    sip: new sdk.SipClient(conn.url, conn.apiKey, conn.apiSecret, opts),
    rooms: new sdk.RoomServiceClient(conn.url, conn.apiKey, conn.apiSecret, opts),
    agents: new sdk.AgentDispatchClient(conn.url, conn.apiKey, conn.apiSecret, opts),
  };
}

/** What failed and the fix, for a hop, the probe or the live watch. `what` reads "listing inbound trunks". */
export function liveKitProblem(err: unknown, conn: LiveKitConn, what: string): { detail: string; fix: string } {
  // The service names the SIP admin permission for a 403; on room and dispatch calls it is the room admin one.
  if ((err as { status?: unknown })?.status === 403 && !/trunk|rule/.test(what))
    return {
      detail: `LiveKit refused ${what} (403): the API key lacks room admin permissions`,
      fix: 'give the key admin permissions in LiveKit Cloud → Settings → API keys, or use a key that has them',
    };
  const e = liveKitError(err, { ...conn, timeoutMs: REQUEST_TIMEOUT_S * 1000 }, what);
  const fix =
    e instanceof UsageError
      ? 'check LIVEKIT_API_KEY / LIVEKIT_API_SECRET (LiveKit Cloud → Settings → API keys)'
      : 'check LIVEKIT_URL (e.g. wss://my-app-abc123.livekit.cloud) and the network, then rerun';
  return { detail: e.message, fix };
}
