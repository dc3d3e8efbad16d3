// Hop: a self-hosted LiveKit SIP service accepts TCP on its SIP port. SignalWire's SWML dials
// `sip:…@<domain>;transport=tcp`, so a closed or firewalled port fails every call before LiveKit sees it.
// LiveKit Cloud's SIP hosts are LiveKit's to keep open: the hop runs only for other hosts.
import type { Hop } from './types.js';

const CONNECT_TIMEOUT_MS = 5_000;
/** The SIP port when LIVEKIT_SIP_DOMAIN names none (RFC 3261's default for sip: over TCP). */
export const DEFAULT_SIP_PORT = 5060;

export const SIP_TCP_HOP = { id: 'sip-tcp', title: 'SIP port takes TCP connections' } as const;

/** Opens a TCP connection and closes it; rejects with the socket error (code ECONNREFUSED, ETIMEDOUT…). */
export type TcpConnect = (host: string, port: number) => Promise<void>;

/** True for a SIP domain LiveKit Cloud does not run (so the hop applies). */
export function isSelfHostedSip(sipDomain: string): boolean {
  const host = sipDomain.replace(/:\d+$/, '').toLowerCase();
  return host !== 'livekit.cloud' && !host.endsWith('.livekit.cloud');
}

const systemConnect: TcpConnect = async (host, port) => {
  const { createConnection } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host, port });
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => done());
    socket.once('error', done);
  });
};

export async function sipTcpHop(sipDomain: string, connect: TcpConnect = systemConnect): Promise<Hop> {
  const m = /^(.*?)(?::(\d+))?$/.exec(sipDomain)!;
  const host = m[1]!;
  const port = m[2] ? Number(m[2]) : DEFAULT_SIP_PORT;
  const title = `SIP port ${host}:${port} takes TCP connections`;
  try {
    await connect(host, port);
    return { ...SIP_TCP_HOP, title, ok: true, detail: `${host}:${port} accepted a TCP connection, as SignalWire's transport=tcp needs` };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'no answer';
    return {
      ...SIP_TCP_HOP,
      title,
      ok: false,
      detail: `${host}:${port} refused or dropped a TCP connection (${code}); SignalWire dials it over TCP, so every call fails`,
      fix: `open TCP port ${port} to the internet on the LiveKit SIP host (firewall, security group), or put the SIP port in LIVEKIT_SIP_DOMAIN (host:port)`,
    };
  }
}
