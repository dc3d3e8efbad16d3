// The LiveKit clients the check uses (made by the LiveKit service, loaded on first use) and the one-line
// detail and fix any LiveKit failure becomes (the LiveKit service's wording). Never a secret in either.
import { UsageError } from '../errors.js';
import { LIVEKIT_TIMEOUT_MS } from '../timing.js';
import { liveKitClients, liveKitError, permissionDenied, type LiveKitClients } from '../services/livekit.js';
import type { LiveKitConn } from './types.js';

export type LiveKitApi = LiveKitClients;

export const liveKitApi = (conn: LiveKitConn): Promise<LiveKitApi> => liveKitClients(conn);

/** What failed and the fix, for a hop, the probe or the live watch. `what` reads "listing inbound trunks". */
export function liveKitProblem(err: unknown, conn: LiveKitConn, what: string): { detail: string; fix: string } {
  const e = liveKitError(err, { ...conn, timeoutMs: LIVEKIT_TIMEOUT_MS }, what);
  if (permissionDenied(err)) return { detail: e.message.replace(/: give the key .*$/, ''), fix: 'give the key admin permissions in LiveKit Cloud → Settings → API keys, or use a key that has them' };
  const fix =
    e instanceof UsageError
      ? 'check LIVEKIT_API_KEY / LIVEKIT_API_SECRET (LiveKit Cloud → Settings → API keys)'
      : 'check LIVEKIT_URL (e.g. wss://my-app-abc123.livekit.cloud) and the network, then rerun';
  return { detail: e.message, fix };
}
