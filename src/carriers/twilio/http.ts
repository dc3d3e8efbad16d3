// Twilio's REST APIs over plain fetch with HTTP Basic `AccountSid:AuthToken`, as its published OpenAPI documents
// describe them (github.com/twilio/twilio-oai, spec/json/twilio_api_v2010.json, twilio_trunking_v1.json and
// twilio_insights_v1.json): requests are form-encoded, answers JSON, failures `{ code, message, more_info, status }`.
import { ServiceError, UsageError } from '../../errors.js';
import { redactLine } from '../../redact.js';
import { setting, type Values } from '../../settings.js';
import { TWILIO_TIMEOUT_MS } from '../../timing.js';
import { sendJson } from '../http-json.js';

export interface TwilioConn {
  accountSid: string;
  authToken: string;
  /** TWILIO_API_URL: the 2010-04-01 API (accounts, numbers, calls). */
  apiUrl: string;
  /** TWILIO_TRUNKING_URL: Elastic SIP Trunking v1. */
  trunkingUrl: string;
  /** TWILIO_INSIGHTS_URL: Voice Insights v1 (a call's SIP answer). */
  insightsUrl: string;
  timeoutMs?: number;
}

/** The connection from resolved settings; undefined unless the account SID and auth token are given. */
export function twilioConn(values: Values, timeoutMs?: number): TwilioConn | undefined {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken } = values;
  if (!accountSid || !authToken) return undefined;
  const conn: TwilioConn = {
    accountSid,
    authToken,
    apiUrl: trimSlash(values.TWILIO_API_URL ?? setting('TWILIO_API_URL').default!),
    trunkingUrl: trimSlash(values.TWILIO_TRUNKING_URL ?? setting('TWILIO_TRUNKING_URL').default!),
    insightsUrl: trimSlash(values.TWILIO_INSIGHTS_URL ?? setting('TWILIO_INSIGHTS_URL').default!),
  };
  return timeoutMs === undefined ? conn : { ...conn, timeoutMs };
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');
/** The setting that holds each API's base URL. */
const URL_SETTING = { api: 'TWILIO_API_URL', trunking: 'TWILIO_TRUNKING_URL', insights: 'TWILIO_INSIGHTS_URL' } as const;
const baseOf = (conn: TwilioConn, api: Request['api']) => (api === 'api' ? conn.apiUrl : api === 'trunking' ? conn.trunkingUrl : conn.insightsUrl);

export interface Request {
  api: 'api' | 'trunking' | 'insights';
  method: 'GET' | 'POST' | 'DELETE';
  /** Path and query under the API's base URL. */
  path: string;
  /** Form fields, for POST. */
  form?: Record<string, string | number | boolean>;
  /** For messages: "list phone numbers". */
  what: string;
  /** The first read: a 401 here means the SID or token is wrong. */
  checksCredentials?: boolean;
}

export async function call<T>(conn: TwilioConn, r: Request): Promise<T> {
  const base = baseOf(conn, r.api);
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${conn.accountSid}:${conn.authToken}`).toString('base64')}`,
    accept: 'application/json',
  };
  let body: string | undefined;
  if (r.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(Object.entries(r.form).map(([k, v]): [string, string] => [k, String(v)])).toString();
  }
  const { status, body: parsed } = await sendJson({
    service: 'Twilio',
    url: base + r.path,
    method: r.method,
    headers,
    body,
    what: r.what,
    timeoutMs: conn.timeoutMs ?? TWILIO_TIMEOUT_MS,
    urlSetting: URL_SETTING[r.api],
  });
  if (status >= 200 && status < 300) return parsed as T;
  throw failure(conn, r, status, parsed);
}

/** Every page of a list: Twilio's lists carry their items under `key` and the next page's URL in `meta` (Trunking) or at the top (2010-04-01). */
export async function listAll<T>(conn: TwilioConn, r: Request, key: string): Promise<T[]> {
  const out: T[] = [];
  let path: string | undefined = r.path;
  for (let page = 0; path && page < 50; page++) {
    const body: Record<string, unknown> = await call(conn, { ...r, path });
    const items = body?.[key];
    if (!Array.isArray(items)) throw new ServiceError('Twilio', `Twilio answered "${r.what}" without a ${key} list: check TWILIO_API_URL / TWILIO_TRUNKING_URL`);
    out.push(...(items as T[]));
    const next = (body.meta as { next_page_url?: unknown } | undefined)?.next_page_url ?? body.next_page_uri;
    path = nextPath(baseOf(conn, r.api), next);
  }
  return out;
}

/** The next page on the same origin only, so the credentials never go anywhere else. */
function nextPath(base: string, next: unknown): string | undefined {
  if (typeof next !== 'string' || !next) return undefined;
  const origin = new URL(base).origin;
  const u = new URL(next, origin);
  return u.origin === origin ? u.pathname.slice(new URL(base).pathname.replace(/\/$/, '').length) + u.search : undefined;
}

/** Twilio's error body `{ code, message, more_info, status }` as one line: what failed, and the fix; never the token. */
function failure(conn: TwilioConn, r: Request, status: number, body: unknown): Error {
  const b = (body ?? {}) as { code?: unknown; message?: unknown };
  const detail = [typeof b.code === 'number' ? String(b.code) : '', typeof b.message === 'string' ? b.message : ''].filter(Boolean).join(' ');
  const tail = detail ? `: ${redactLine(detail, [conn.authToken], 200)}` : '';
  if (status === 401)
    return new UsageError(`Twilio rejected the account SID / auth token (401${tail}): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (Twilio Console → Account Info)`);
  if (status === 403) return new UsageError(`Twilio refused to ${r.what} (403${tail}): the account may lack Elastic SIP Trunking; enable it in the Twilio Console`);
  if (status === 404) return new ServiceError('Twilio', `Twilio could not ${r.what} (404 not found${tail}); rerun to read it again`);
  if (status === 429) return new ServiceError('Twilio', `Twilio is rate-limiting requests (429): wait a minute and rerun`);
  if (status >= 500) return new ServiceError('Twilio', `Twilio failed to ${r.what} (${status}${tail}): a problem on Twilio's side; see status.twilio.com and rerun`);
  return new ServiceError('Twilio', `Twilio could not ${r.what} (${status}${tail})`);
}
