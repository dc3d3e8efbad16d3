// Hop: the SIP domain the carrier dials resolves. A typo here fails every call with nothing in LiveKit's logs.
import type { Hop, Resolver } from './types.js';

const LOOKUP_TIMEOUT_MS = 5_000;

export const DNS_HOP = { id: 'dns', title: 'SIP domain resolves' } as const;

const systemResolver: Resolver = async (host) => (await import('node:dns/promises')).lookup(host);

export async function dnsHop(sipDomain: string, resolve: Resolver = systemResolver): Promise<Hop> {
  // LIVEKIT_SIP_DOMAIN may carry a port (host:5060); DNS knows only the host.
  const host = sipDomain.replace(/:\d+$/, '');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEOUT' })), LOOKUP_TIMEOUT_MS);
  });
  try {
    await Promise.race([resolve(host), timeout]);
    return { ...DNS_HOP, ok: true, detail: `${host} resolves` };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'no answer';
    return {
      ...DNS_HOP,
      ok: false,
      detail: `${host} does not resolve (${code})`,
      fix: 'set LIVEKIT_SIP_DOMAIN to the SIP URI host from LiveKit Cloud → Settings → Project, without "sip:" (e.g. abc123xyz.sip.livekit.cloud)',
    };
  } finally {
    clearTimeout(timer);
  }
}
