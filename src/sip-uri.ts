// SIP URIs as the check reads them: the user LiveKit matches against a trunk's numbers, the host a carrier
// dialled, and whether that host is LiveKit Cloud's. Shared by every carrier's explanation of a failed call.

export function sipUser(uri: string): string | undefined {
  const m = /^sips?:([^@;>]+)@/i.exec(uri);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1];
  }
}

/** The host of a SIP URI, with its port when it names one (a self-hosted SIP domain may carry one). */
export function sipHost(uri: string): string | undefined {
  return /^sips?:[^@]*@([^;>]+)/i.exec(uri)?.[1];
}

/** Same SIP host: equal ignoring case, and a missing port reads as SIP's default 5060. */
export function sameSipHost(a: string, b: string): boolean {
  const norm = (h: string) => (/:\d+$/.test(h) ? h : `${h}:5060`).toLowerCase();
  return norm(a) === norm(b);
}

/** True for a SIP domain LiveKit Cloud does not run (a self-hosted LiveKit SIP). */
export function isSelfHostedSip(sipDomain: string): boolean {
  const host = sipDomain.replace(/:\d+$/, '').toLowerCase();
  return host !== 'livekit.cloud' && !host.endsWith('.livekit.cloud');
}
