// The real LiveKit on loopback: Redis, livekit-server and livekit-sip, every port free and bound to
// 127.0.0.1 (RTP and the WebRTC UDP mux bind the wildcard address, on ports picked free), a fresh API key
// and secret per run written only to files of mode 0600. stop() ends every process and removes the files.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireInstalled, SERVER_BIN, SIP_BIN, which } from './paths.ts';
import { freeTcpPort, freeTcpUdpPort, freeUdpRange, startService, waitUntil, type Service } from './processes.ts';

export interface LiveKitStack {
  /** http://127.0.0.1:<port>: LIVEKIT_URL. */
  url: string;
  apiKey: string;
  apiSecret: string;
  sipHost: string;
  sipPort: number;
  /** LIVEKIT_SIP_DOMAIN for the wizard: "127.0.0.1:<sipPort>". */
  sipDomain: string;
  redisPort: number;
  /** The run's directory: configs and one log per process. */
  dir: string;
  services: Service[];
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startLiveKitStack(opts: { logLevel?: string } = {}): Promise<LiveKitStack> {
  requireInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'csi-livekit-'));
  const services: Service[] = [];
  const apiKey = `API${randomBytes(6).toString('hex')}`;
  const apiSecret = randomBytes(24).toString('base64url');
  const stop = async () => {
    for (const s of [...services].reverse()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [redisPort, httpPort, rtcTcpPort, rtcUdpPort, sipPort] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort(), await freeTcpUdpPort(), await freeTcpUdpPort()];
    const rtp = await freeUdpRange(40);

    const redis = startService('redis', which('redis-server'), ['--bind', HOST, '--port', String(redisPort), '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
      log: join(dir, 'redis.log'),
    });
    services.push(redis);
    await waitUntil('Redis did not start', () => redisPing(redisPort), { service: redis });

    const level = opts.logLevel ?? 'info';
    // A service run from its config file, logging beside it; stopped with the rest.
    const started = (name: string, bin: string, conf: string) => {
      const service = startService(name, bin, ['--config', conf], { log: join(dir, `${name}.log`) });
      services.push(service);
      return service;
    };
    const serverConf = join(dir, 'livekit.yaml');
    writeFileSync(
      serverConf,
      [
        `port: ${httpPort}`,
        `bind_addresses: ["${HOST}"]`,
        `redis:`,
        `  address: "${HOST}:${redisPort}"`,
        `keys:`,
        `  ${apiKey}: "${apiSecret}"`,
        `rtc:`,
        `  tcp_port: ${rtcTcpPort}`,
        `  udp_port: ${rtcUdpPort}`,
        `  use_external_ip: false`,
        `  node_ip: ${HOST}`,
        `  enable_loopback_candidate: true`,
        `turn:`,
        `  enabled: false`,
        `logging:`,
        `  level: ${level}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const server = started('livekit-server', SERVER_BIN, serverConf);
    const url = `http://${HOST}:${httpPort}`;
    await waitUntil('livekit-server did not start', async () => (await fetch(url)).ok, { service: server });

    const sipConf = join(dir, 'sip.yaml');
    writeFileSync(
      sipConf,
      [
        `api_key: ${apiKey}`,
        `api_secret: "${apiSecret}"`,
        `ws_url: ws://${HOST}:${httpPort}`,
        `redis:`,
        `  address: "${HOST}:${redisPort}"`,
        `sip_port: ${sipPort}`,
        `listen_ip: ${HOST}`,
        // The address it announces in Contact and SDP: loopback, which its own discovery never picks.
        `nat_1_to_1_ip: ${HOST}`,
        `rtp_port: ${rtp.start}-${rtp.end}`,
        `logging:`,
        `  level: ${level}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const sip = started('livekit-sip', SIP_BIN, sipConf);
    await waitUntil('livekit-sip did not start', () => sipAnswersOptions(sipPort), { service: sip });

    return { url, apiKey, apiSecret, sipHost: HOST, sipPort, sipDomain: `${HOST}:${sipPort}`, redisPort, dir, services, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function redisPing(port: number): Promise<boolean> {
  return exchange(port, 'PING\r\n', (got) => got.includes('+PONG'));
}

/** A SIP OPTIONS over TCP; any SIP response means the signalling side is up. */
function sipAnswersOptions(port: number): Promise<boolean> {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const msg = [
    `OPTIONS sip:${HOST}:${port};transport=tcp SIP/2.0`,
    `Via: SIP/2.0/TCP ${HOST}:9;branch=${branch}`,
    `From: <sip:probe@${HOST}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${HOST}:${port}>`,
    `Call-ID: ${randomBytes(8).toString('hex')}@${HOST}`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return exchange(port, msg, (got) => /^SIP\/2\.0 \d{3}/.test(got));
}

function exchange(port: number, send: string, done: (got: string) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, HOST);
    let got = '';
    const finish = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('connect', () => sock.write(send));
    sock.on('data', (d) => {
      got += d;
      if (done(got)) finish(true);
    });
  });
}
