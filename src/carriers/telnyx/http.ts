// Telnyx's API v2 over plain fetch with `Authorization: Bearer <TELNYX_API_KEY>`, as its published OpenAPI document
// describes it (github.com/team-telnyx/openapi, openapi/spec3.json; server https://api.telnyx.com/v2): requests and
// answers are JSON, objects come under `data`, lists page with `page[number]` / `page[size]` and say `meta.total_pages`,
// and failures are `{ errors: [{ code, title, detail, source, meta }] }` (the spec's `Errors` schemas).
import { ServiceError, UsageError } from '../../errors.js';
import { redactLine } from '../../redact.js';
import { setting, type Values } from '../../settings.js';
import { TELNYX_TIMEOUT_MS } from '../../timing.js';
import { sendJson } from '../http-json.js';

export interface TelnyxConn {
  apiKey: string;
  /** TELNYX_API_URL without `/v2`: https://api.telnyx.com unless a proxy or a stand-in. */
  apiUrl: string;
  timeoutMs?: number;
}

/** Where the key is made, for every message that asks for it. */
export const KEY_WHERE = 'Telnyx portal → Account settings → API Keys, https://portal.telnyx.com/#/api-keys';

/** The connection from resolved settings; undefined unless the API key is given. */
export function telnyxConn(values: Values, timeoutMs?: number): TelnyxConn | undefined {
  const apiKey = values.TELNYX_API_KEY;
  if (!apiKey) return undefined;
  const conn: TelnyxConn = { apiKey, apiUrl: (values.TELNYX_API_URL ?? setting('TELNYX_API_URL').default!).replace(/\/+$/, '') };
  return timeoutMs === undefined ? conn : { ...conn, timeoutMs };
}

export interface Request {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query under /v2, e.g. "/phone_numbers?filter[phone_number]=…". */
  path: string;
  /** The JSON body. */
  body?: unknown;
  /** For messages: "list phone numbers". */
  what: string;
}

/** A failure Telnyx answered, with its status and first error code, so a caller can tell "already over" apart. */
export class TelnyxError extends ServiceError {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super('Telnyx', message);
    this.name = 'TelnyxError';
  }
}

export async function call<T>(conn: TelnyxConn, r: Request): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${conn.apiKey}`, accept: 'application/json' };
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  const { status, body: parsed } = await sendJson({
    service: 'Telnyx',
    url: `${conn.apiUrl}/v2${r.path}`,
    method: r.method,
    headers,
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
    what: r.what,
    timeoutMs: conn.timeoutMs ?? TELNYX_TIMEOUT_MS,
    urlSetting: 'TELNYX_API_URL',
  });
  if (status >= 200 && status < 300) return parsed as T;
  throw failure(conn, r, status, parsed);
}

/** Every page of a list: `data[]`, then the next `page[number]` while `meta.total_pages` says there is one. */
export async function listAll<T>(conn: TelnyxConn, r: Request): Promise<T[]> {
  const out: T[] = [];
  const sep = r.path.includes('?') ? '&' : '?';
  for (let page = 1; page <= 50; page++) {
    const body = await call<{ data?: unknown; meta?: { total_pages?: number } }>(conn, { ...r, path: `${r.path}${sep}page[number]=${page}&page[size]=250` });
    if (!Array.isArray(body?.data)) throw new ServiceError('Telnyx', `Telnyx answered "${r.what}" without a data list: check TELNYX_API_URL`);
    out.push(...(body.data as T[]));
    if (!(typeof body.meta?.total_pages === 'number' && page < body.meta.total_pages)) break;
  }
  return out;
}

/** A query value, encoded (a `+` in E.164 must not arrive as a space). */
export const q = (v: string) => encodeURIComponent(v);

/** Telnyx's `{ errors: [{ code, title, detail }] }` as one line: what failed, and the fix; never the key. */
function failure(conn: TelnyxConn, r: Request, status: number, body: unknown): Error {
  const first = (body as { errors?: Array<{ code?: unknown; title?: unknown; detail?: unknown }> } | undefined)?.errors?.[0];
  const code = typeof first?.code === 'string' || typeof first?.code === 'number' ? String(first.code) : undefined;
  const words = [first?.title, first?.detail].filter((x): x is string => typeof x === 'string' && x !== '');
  // The detail often repeats the title: say it once.
  const text = [code, ...words.filter((w, i) => !(i === 1 && words[0] && w.startsWith(words[0])))].filter(Boolean).join(' ');
  const tail = text ? `: ${redactLine(text, [conn.apiKey], 200)}` : '';
  if (status === 401) return new UsageError(`Telnyx rejected TELNYX_API_KEY (401${tail}): check the key under ${KEY_WHERE}`);
  if (status === 403) return new UsageError(`Telnyx refused to ${r.what} (403${tail}): the API key may lack access to it; check TELNYX_API_KEY under ${KEY_WHERE}`);
  if (status === 429) return new TelnyxError(status, code, 'Telnyx is rate-limiting requests (429): wait a minute and rerun');
  if (status >= 500) return new TelnyxError(status, code, `Telnyx failed to ${r.what} (${status}${tail}): a problem on Telnyx's side; see status.telnyx.com and rerun`);
  return new TelnyxError(status, code, `Telnyx could not ${r.what} (${status}${tail})`);
}
