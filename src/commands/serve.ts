// `serve`: the /api/swml-inbound endpoint for SignalWire's "External URL". Resolves the settings,
// starts the server, and shuts it down gracefully on SIGTERM / SIGINT.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { shown } from '../redact.js';
import { renderSwml } from '../render/swml.js';
import { closeGracefully, createSwmlServer, HEALTH_PATH, MAX_CONNECTIONS } from '../server/swml-server.js';
import { SWML_PATH, swmlUrl } from '../swml-path.js';
import { PASTE_SWML_URL } from '../carriers/signalwire/dashboard.js';
import { maskCredentials, withoutCredentials } from '../server/signed-url.js';

const GRACE_MS = 5_000;

export async function run(ctx: Context): Promise<number> {
  const v = ctx.values;
  requireValues(v, requiredFor('serve'));
  const port = portOption(ctx);
  const host = hostOption(ctx);
  const maxConnections = countOption(ctx.options['max-connections'], '--max-connections', MAX_CONNECTIONS);
  if (Boolean(v.LIVEKIT_SIP_USERNAME) !== Boolean(v.LIVEKIT_SIP_PASSWORD))
    throw new UsageError(
      'Set both --livekit-sip-username (LIVEKIT_SIP_USERNAME) and --livekit-sip-password (LIVEKIT_SIP_PASSWORD), or neither: LiveKit digest auth needs the pair',
    );

  const swml = renderSwml({ sipDomain: v.LIVEKIT_SIP_DOMAIN!, username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD });
  const withCredentials = Boolean(swml.sections.main[0]?.connect.password);
  const signingKey = v.SIGNALWIRE_SIGNING_KEY;
  if (withCredentials && !signingKey && !ctx.options.insecure)
    throw new UsageError(
      "Refusing to serve: the SWML carries the trunk's SIP password, and without --signalwire-signing-key (SIGNALWIRE_SIGNING_KEY) anyone who finds the URL could read it. Set the signing key, or pass --insecure to serve it anyway",
    );
  const trustProxy = Boolean(ctx.options['trust-proxy']);
  // SignalWire signs the URL its dashboard holds. Rebuilt from forwarded headers sent by anyone, a request
  // signed for another endpoint of the same project could be replayed here.
  if (signingKey && !v.API_BASE_URL && !trustProxy)
    throw new UsageError(
      'Refusing to serve: with a signing key, serve must know the URL SignalWire signs. Set --api-base-url (API_BASE_URL) to the URL in the SignalWire dashboard, or pass --trust-proxy if a proxy you run sets X-Forwarded-Proto/X-Forwarded-Host or Forwarded',
    );

  const log = (line: string) => void process.stderr.write(`${shown(line)}
`);
  const requestLog = batchedLines((text) => process.stderr.write(shown(text)));
  const server = createSwmlServer({ swml, signingKey, publicBaseUrl: v.API_BASE_URL, log: requestLog.write, maxConnections });
  await listen(server, port, host);
  const listening = origin(server.address() as AddressInfo);
  // The URL to paste keeps its user:pass@ (SignalWire needs it for basic auth); printed, the password is masked.
  const externalUrl = v.API_BASE_URL ? maskCredentials(swmlUrl(v.API_BASE_URL)) : undefined;

  log(`Serving SWML for ${v.LIVEKIT_SIP_DOMAIN}${withCredentials ? ' with SIP digest credentials' : ''}`);
  log(`Listening on ${listening} (POST/GET ${SWML_PATH}, GET ${HEALTH_PATH}); at most ${maxConnections} connections; Ctrl-C to stop`);
  if (signingKey && v.API_BASE_URL) {
    log(`Requests must carry a valid X-SignalWire-Signature for ${withoutCredentials(v.API_BASE_URL)}${SWML_PATH} (SIGNALWIRE_SIGNING_KEY is set)`);
    if (trustProxy) log('--trust-proxy is not needed: API_BASE_URL is the URL SignalWire signs, forwarded headers are ignored');
  } else if (signingKey)
    log('Requests must carry a valid X-SignalWire-Signature (SIGNALWIRE_SIGNING_KEY is set) for the URL your proxy names in Forwarded / X-Forwarded-Proto / X-Forwarded-Host (--trust-proxy)');
  else if (withCredentials) log('⚠ --insecure: anyone who can reach this server can read the SIP password');
  else log('Requests are not verified: set SIGNALWIRE_SIGNING_KEY to accept only SignalWire');
  if (externalUrl) log(`${PASTE_SWML_URL}\n  ${externalUrl}`);
  else log(`${PASTE_SWML_URL} this server's public https URL + ${SWML_PATH} (set API_BASE_URL, --api-base-url, to print it here)`);
  if (ctx.json) process.stdout.write(`${JSON.stringify({ listening, endpoint: `${listening}${SWML_PATH}`, externalUrl: externalUrl ?? null })}\n`);

  const signals = watchSignals(() => {
    log('Second signal: closing open connections now');
    server.closeAllConnections();
  });
  const signal = await signals.first;
  requestLog.flush();
  log(`${signal}: no new connections; finishing requests in flight (at most ${GRACE_MS / 1000} s)`);
  await closeGracefully(server, GRACE_MS);
  signals.stop();
  requestLog.flush();
  log('Stopped');
  return 0;
}

/**
 * --port, or its alias --api-server-port (the API_SERVER_PORT setting's flag), else API_SERVER_PORT from the
 * environment or .env, else 8080. 0 asks the system for a free port.
 */
function portOption(ctx: Context): number {
  const raw = aliasedOption(ctx, 'port', 'API_SERVER_PORT', '--api-server-port');
  if (raw === undefined) return Number(ctx.values.API_SERVER_PORT ?? 8080);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new UsageError(`--port: "${raw}" is not a port (0-65535)`);
  return n;
}

/** --host, or its alias --api-server-host, else API_SERVER_HOST, else 0.0.0.0. */
function hostOption(ctx: Context): string {
  return aliasedOption(ctx, 'host', 'API_SERVER_HOST', '--api-server-host') ?? ctx.values.API_SERVER_HOST ?? '0.0.0.0';
}

/** The command's own flag, or the setting's flag of the same meaning; both at once only when they agree. */
function aliasedOption(ctx: Context, name: string, key: 'API_SERVER_PORT' | 'API_SERVER_HOST', alias: string): string | undefined {
  const own = stringOption(ctx.options[name]);
  const viaAlias = ctx.sources[key] === 'flag' ? ctx.values[key] : undefined;
  if (own !== undefined && viaAlias !== undefined && own !== viaAlias)
    throw new UsageError(`--${name} ${own} and ${alias} ${viaAlias} disagree: ${alias} is another name for --${name}; give one`);
  return own ?? viaAlias;
}

function countOption(flag: string | boolean | undefined, name: string, fallback: number): number {
  const raw = stringOption(flag);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 1_000_000) throw new UsageError(`${name}: "${raw}" is not a count (1 or more)`);
  return n;
}

function stringOption(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Request log lines, written once per event-loop turn rather than once per line: under load that is one
 * write for many requests (stderr is synchronous for files and pipes, so each write is a system call).
 */
function batchedLines(write: (text: string) => void): { write: (line: string) => void; flush: () => void } {
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const text = pending;
    pending = '';
    write(text);
  };
  return {
    write: (line) => {
      if (!pending) setImmediate(flush);
      pending += `${line}\n`;
    },
    flush,
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE')
        reject(new UsageError(`Port ${port} is already in use on ${host}: stop the other server or choose another with --port (API_SERVER_PORT)`));
      else if (err.code === 'EACCES')
        reject(new UsageError(`Not allowed to listen on ${where}: ports below 1024 need extra privileges; choose another with --port (API_SERVER_PORT)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
        reject(new UsageError(`Cannot listen on ${where}: "${host}" is not an address of this machine; choose another with --host (API_SERVER_HOST)`));
      else reject(new UsageError(`Cannot listen on ${where}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function origin(addr: AddressInfo): string {
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${host}:${addr.port}`;
}

/** `first` resolves with the first SIGTERM or SIGINT; a later one calls `onRepeat` (stop waiting for stragglers). */
function watchSignals(onRepeat: () => void): { first: Promise<NodeJS.Signals>; stop: () => void } {
  let resolveFirst!: (s: NodeJS.Signals) => void;
  const first = new Promise<NodeJS.Signals>((r) => (resolveFirst = r));
  let seen = false;
  const handler = (signal: NodeJS.Signals) => {
    if (seen) return onRepeat();
    seen = true;
    resolveFirst(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  const stop = () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
  return { first, stop };
}
