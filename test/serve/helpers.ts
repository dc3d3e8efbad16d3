// Shared by the serve tests: a real server on 127.0.0.1 port 0, plain HTTP requests against it, and
// obviously fake secrets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderSwml } from '../../src/render/swml.ts';
import { closeGracefully, createSwmlServer, type SwmlServerOptions } from '../../src/server/swml-server.ts';

export const SIP_DOMAIN = 'abc123xyz.sip.livekit.cloud';
export const FAKE_SIP_USER = 'fake-sip-user';
export const FAKE_SIP_PASSWORD = 'FAKE-sip-password-0000';
export const FAKE_SIGNING_KEY = 'PSK_FAKE_signing_key_0000';

/** What SignalWire POSTs to an External SWML URL for an inbound call (FACTS.md; SignalWire's docs). */
export function signalwireBody(call: Record<string, unknown> = {}): string {
  return JSON.stringify({
    call: {
      call_id: '00000000-0000-4000-8000-000000000001',
      node_id: 'fake-node',
      segment_id: '00000000-0000-4000-8000-000000000002',
      call_state: 'created',
      direction: 'inbound',
      type: 'phone',
      from: '+16505300051',
      to: '+14244851544',
      from_number: '+16505300051',
      to_number: '+14244851544',
      headers: [],
      project_id: '00000000-0000-4000-8000-000000000003',
      space_id: '00000000-0000-4000-8000-000000000004',
      ...call,
    },
    vars: {},
    params: {},
    envs: {},
  });
}

export interface Running {
  base: string;
  port: number;
  lines: string[];
  server: http.Server;
  close: () => Promise<void>;
}

export async function startServer(opts: Partial<SwmlServerOptions> & { credentials?: boolean } = {}): Promise<Running> {
  const { credentials, ...rest } = opts;
  const lines: string[] = [];
  const swml = renderSwml(
    credentials ? { sipDomain: SIP_DOMAIN, username: FAKE_SIP_USER, password: FAKE_SIP_PASSWORD } : { sipDomain: SIP_DOMAIN },
  );
  const server = createSwmlServer({ swml, log: (l) => lines.push(l), ...rest });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port, lines, server, close: () => closeGracefully(server, 1000) };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => any;
}

/** One request on a fresh connection; the body may be a string or a Buffer. */
export function request(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
