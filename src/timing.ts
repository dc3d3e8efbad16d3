// How long we wait for each service (one timeout each), and how a duration is shown everywhere.

export const LIVEKIT_TIMEOUT_MS = 10_000;
export const SUPABASE_TIMEOUT_MS = 10_000;
export const SIGNALWIRE_TIMEOUT_MS = 10_000;
export const TWILIO_TIMEOUT_MS = 10_000;
export const TELNYX_TIMEOUT_MS = 10_000;
/** Our `serve` endpoint: how long it gives a client to send a whole request, and how long the check waits for it. */
export const SWML_ENDPOINT_TIMEOUT_MS = 10_000;
/** How long `serve` gives a client to send its request headers. */
export const SWML_HEADERS_TIMEOUT_MS = 5_000;

/** "40 ms" under a second, else as seconds(): for short gaps that tenths would round to 0.0. */
export function elapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : seconds(ms);
}

/** "0.4 s", "9.5 s", "12 s": tenths while they matter. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * A listing younger than this is as fresh as a second look just before creating would be (that look is one round
 * trip old when the create lands): the create trusts it. An older one (the person read the plan) is looked at again.
 */
export const LOOK_AGAIN_AFTER_MS = 2_000;

/** Whether a listing made at `readAt` (Date.now(); undefined: unknown) is to be looked at again before creating. */
export function listingIsOld(readAt: number | undefined): boolean {
  return readAt === undefined || Date.now() - readAt > LOOK_AGAIN_AFTER_MS;
}
