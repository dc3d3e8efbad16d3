// SignalWire's REST API over plain fetch with HTTP Basic `project_id:api_token`: the connection, the paths,
// one request, paged lists, and every failure as one line. Routes and shapes follow SignalWire's published API specs
// (github.com/signalwire/docs, specs/signalwire-rest/).
// Scopes: phone numbers need the token's Numbers scope; SWML scripts need Voice (or Messaging, Fax, Video).
import { settingName } from '../../setting-names.js';
import { ServiceError, UsageError } from '../../errors.js';
import { redact, redactLine } from '../../redact.js';
import { SIGNALWIRE_TIMEOUT_MS, seconds } from '../../timing.js';
import type { Values } from '../../settings.js';
import { parseJson } from '../http-json.js';

export interface SignalWireConn {
  /** The space, e.g. https://example.signalwire.com (a bare host is read as https). */
  spaceUrl: string;
  projectId: string;
  apiToken: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

const MAX_PAGES = 50;
export const PHONE_NUMBERS = '/api/relay/rest/phone_numbers';
export const SWML_SCRIPTS = '/api/fabric/resources/swml_scripts';
export const VERIFIED_CALLER_IDS = '/api/relay/rest/verified_caller_ids';
export const CALLS = '/api/calling/calls';
export const VOICE_LOGS = '/api/voice/logs';

/** The connection from resolved settings; undefined unless all three SignalWire settings are given. */
export function signalWireConn(values: Values, timeoutMs?: number): SignalWireConn | undefined {
  const { SIGNALWIRE_SPACE_URL: spaceUrl, SIGNALWIRE_PROJECT_ID: projectId, SIGNALWIRE_API_TOKEN: apiToken } = values;
  if (!spaceUrl || !projectId || !apiToken) return undefined;
  return timeoutMs === undefined ? { spaceUrl, projectId, apiToken } : { spaceUrl, projectId, apiToken, timeoutMs };
}

export type Scope = 'Numbers' | 'Voice';

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, from the space's origin. */
  path: string;
  body?: unknown;
  /** For messages: "list phone numbers". */
  what: string;
  /** The token scope the route needs. */
  scope: Scope;
  /** The first call: a 401 here means the ID or token is wrong rather than a missing scope. */
  checksCredentials?: boolean;
  /** Values sent in the body that must never reach a message (a SIP password). */
  secrets?: Array<string | undefined>;
  /** For lists: how many pages at most (default 50). */
  maxPages?: number;
}

function originOf(conn: SignalWireConn): string {
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(conn.spaceUrl) ? conn.spaceUrl : `https://${conn.spaceUrl}`;
  try {
    return new URL(raw).origin;
  } catch {
    throw new UsageError(`--signalwire-space-url (SIGNALWIRE_SPACE_URL): "${conn.spaceUrl}" is not a URL; e.g. https://example.signalwire.com`);
  }
}

export function spaceOf(conn: SignalWireConn): string {
  return new URL(originOf(conn)).host;
}

export async function call<T>(conn: SignalWireConn, c: Call): Promise<T> {
  const url = originOf(conn) + c.path;
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${conn.projectId}:${conn.apiToken}`).toString('base64')}`,
    accept: 'application/json',
  };
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      method: c.method,
      headers,
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
      // A redirect would carry the credentials elsewhere and means the space URL is off.
      redirect: 'manual',
      signal: AbortSignal.timeout(conn.timeoutMs ?? SIGNALWIRE_TIMEOUT_MS),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw failure(conn, c, { error });
  }
  const body = parseJson(text);
  if (status >= 200 && status < 300) {
    if (body === undefined && c.method === 'GET')
      throw new ServiceError('SignalWire', `${spaceOf(conn)} did not answer "${c.what}" with JSON: check SIGNALWIRE_SPACE_URL`);
    return body as T;
  }
  throw failure(conn, c, { status, body });
}

/** Follows `links.next` on the same origin only, so the credentials never go anywhere else. */
export async function listAll<T>(conn: SignalWireConn, c: Call): Promise<T[]> {
  const out: T[] = [];
  let path: string | undefined = c.path;
  for (let page = 0; path !== undefined && page < (c.maxPages ?? MAX_PAGES); page++) {
    const body: { data?: unknown; links?: { next?: unknown } } | undefined = await call(conn, { ...c, path });
    if (!Array.isArray(body?.data))
      throw new ServiceError('SignalWire', `${spaceOf(conn)} answered "${c.what}" without a data list: check SIGNALWIRE_SPACE_URL`);
    out.push(...(body.data as T[]));
    path = nextPath(conn, body.links?.next);
  }
  return out;
}

function nextPath(conn: SignalWireConn, next: unknown): string | undefined {
  if (typeof next !== 'string' || !next) return undefined;
  const origin = originOf(conn);
  const u = new URL(next, origin);
  return u.origin === origin ? u.pathname + u.search : undefined;
}

type Outcome = { error: unknown } | { status: number; body: unknown };

const [SPACE, PROJECT, TOKEN] = ['SIGNALWIRE_SPACE_URL', 'SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN'] as const;

/** Every SignalWire failure becomes one line: what failed, where, and the fix; never a secret. */
function failure(conn: SignalWireConn, c: Call, outcome: Outcome): Error {
  const space = spaceOf(conn);
  const secrets = [conn.apiToken, ...(c.secrets ?? [])].filter((x): x is string => Boolean(x));
  const say = (text: string) => redact(text, secrets);

  if ('error' in outcome) {
    const err = outcome.error as { name?: string; cause?: { code?: string } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      const s = seconds(conn.timeoutMs ?? SIGNALWIRE_TIMEOUT_MS);
      return new ServiceError('SignalWire', say(`${space} did not answer "${c.what}" within ${s}: check ${settingName(SPACE)} and the network, then rerun`), { cause: outcome.error, settings: [SPACE] });
    }
    const code = err?.cause?.code ? ` (${err.cause.code})` : '';
    return new ServiceError('SignalWire', say(`Cannot reach SignalWire at ${space}${code}: check ${settingName(SPACE)} (e.g. https://example.signalwire.com) and the network`), { cause: outcome.error, settings: [SPACE] });
  }

  const { status, body } = outcome;
  const enable = (scope: Scope) =>
    `enable the ${scope} scope on the token (SignalWire → API → Tokens → edit the token → scopes), or use a token that has it`;
  if (status === 401 && c.checksCredentials)
    return new UsageError(
      `SignalWire rejected the project ID / API token for ${space}: check ${settingName(PROJECT)} / ${settingName(TOKEN)} (the token also needs the Numbers scope)`,
      { settings: [PROJECT, TOKEN] },
    );
  // SignalWire answers a token without the route's scope with 403, or with 401 on some routes;
  // after the credentials have been accepted once, a 401 can only mean the scope.
  if (status === 403 || status === 401) return new UsageError(`SignalWire refused to ${c.what} in ${space}: the API token lacks the ${c.scope} scope; ${enable(c.scope)}`);
  const detail = detailOf(body);
  // Redacted before it is cut short: a secret cut in half would no longer be recognised.
  const tail = detail ? `: ${redactLine(detail, secrets, 200)}` : '';
  if (status === 402)
    return new ServiceError('SignalWire', `SignalWire refused to ${c.what} in ${space} (402${tail}): the account balance is too low; add funds under SignalWire → Billing, then rerun`);
  const code = JSON.stringify(body ?? '');
  if (status === 422 && c.path === CALLS && /number_not_verified/.test(code))
    return new UsageError(`SignalWire refused to ${c.what} in ${space} (422${tail}): call from a number of the space or a verified caller ID (SignalWire → Phone Numbers → Verified Caller IDs)`);
  if (status === 422 && c.path === CALLS && /not_purchased_or_verified/.test(code))
    return new UsageError(`SignalWire refused to ${c.what} in ${space} (422${tail}): a trial space calls only its own and verified numbers; verify the number (SignalWire → Phone Numbers → Verified Caller IDs) or fund the space`);
  if (status === 404) return new ServiceError('SignalWire', `SignalWire could not ${c.what} in ${space} (404 not found${tail}); rerun to read it again`);
  if (status === 422) return new ServiceError('SignalWire', `SignalWire refused to ${c.what} in ${space} (422${tail})`);
  if (status === 429) return new ServiceError('SignalWire', `SignalWire is rate-limiting requests to ${space} (429): wait a minute and rerun`);
  if (status >= 500) return new ServiceError('SignalWire', `SignalWire failed to ${c.what} in ${space} (${status}${tail}): a problem on SignalWire's side; see status.signalwire.com and rerun`);
  if (status >= 300 && status < 400) return new ServiceError('SignalWire', `${space} answered "${c.what}" with a redirect (${status}): check ${settingName(SPACE)} (e.g. https://example.signalwire.com)`, { settings: [SPACE] });
  return new ServiceError('SignalWire', `SignalWire could not ${c.what} in ${space} (${status}${tail})`);
}

/** SignalWire's error bodies: { errors: [{ message | detail }] } or { error }. */
function detailOf(body: unknown): string {
  const b = body as { errors?: Array<{ message?: unknown; detail?: unknown; attribute?: unknown }>; error?: unknown } | undefined;
  const parts = Array.isArray(b?.errors)
    ? b.errors.map((e) => String(e?.message ?? e?.detail ?? '')).filter(Boolean)
    : typeof b?.error === 'string'
      ? [b.error]
      : [];
  return parts.join('; ');
}

