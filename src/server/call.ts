// What the endpoint reads from a SignalWire call request: `call.to` decides whether it can be a call at
// all; `call.from` is only logged. The SWML never depends on the caller, and SignalWire documents
// `call.from` as "the number/URI that initiated this call": it may be empty, withheld ("Unknown Caller"),
// national or international without "+" (FACTS.md). Refusing it would drop a real call.

/** A request that cannot be a SignalWire call, with the status and the one-line reason. */
export class Reject extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** `call` from SignalWire's JSON body `{ call: { to, from, … }, vars, params, envs }`. */
export function callOf(raw: Buffer): { to?: unknown; from?: unknown } {
  if (raw.length === 0) throw new Reject(400, "empty body; expected SignalWire's JSON { call: { to, from } }");
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Reject(400, 'body is not valid JSON');
  }
  if (!isObject(body)) throw new Reject(400, 'body must be a JSON object');
  if (!isObject(body.call)) throw new Reject(400, "call must be an object: expected SignalWire's JSON { call: { to, from } }");
  return body.call;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws 400 unless `to` is a phone number. `required` is false only for manual GET tests without ?to=. */
export function checkCalled(to: unknown, required: boolean): void {
  if (to === undefined || to === null) {
    if (required) throw new Reject(400, 'call.to is missing; SignalWire sends the called number there');
    return;
  }
  if (!calledNumber(to)) throw new Reject(400, 'call.to must be a phone number like +14244851544');
}

/**
 * The called number in `+14244851544`, `14244851544`, `+1 424-485-1544` or `sip:+14244851544@host;params`,
 * reduced as LiveKit reduces it before matching a trunk (spaces, "-", "(", ")" dropped); undefined when it
 * is no phone number. Only the shape is checked: a numbering plan missing from phone metadata must not
 * turn a call away.
 */
export function calledNumber(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // In a query string an unescaped "+" arrives as a space.
  const user = sipUser(raw).replace(/^ (?=\d)/, '+').replace(/[\s()-]/g, '');
  return /^\+?\d{7,15}$/.test(user) ? user : undefined;
}

function sipUser(raw: string): string {
  const m = /^sips?:([^@;]*)(@.*)?$/i.exec(raw.trim());
  return m ? m[1]! : raw;
}

/** `call.from` as one printable log field: as sent when plain, else quoted with anything unprintable escaped. */
export function callerForLog(from: unknown): string {
  if (from === undefined || from === null) return '-';
  const text = typeof from === 'string' ? from : JSON.stringify(from);
  const short = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  if (/^[\x21-\x7e]+$/.test(short) && !short.includes('"')) return short;
  return `"${short.replace(/["\\]/g, '\\$&').replace(/[^\x20-\x7e…]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
