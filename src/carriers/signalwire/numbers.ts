// The space's phone numbers (specs/signalwire-rest/relay-rest/phone-numbers):
//   GET /api/relay/rest/phone_numbers?filter_number=… → { data, links }; PUT …/phone_numbers/{id} → the number.
import { settingName } from '../../setting-names.js';
import { ServiceError, UsageError } from '../../errors.js';
import { call, listAll, PHONE_NUMBERS, spaceOf, VERIFIED_CALLER_IDS, type SignalWireConn } from './http.js';

export interface NumberInfo {
  id: string;
  number: string;
  name: string | null;
  /** call_handler, e.g. relay_script, laml_webhooks; null when none is set. */
  callHandler: string | null;
  /** call_relay_script_url: where the SWML comes from when callHandler is relay_script. */
  scriptUrl: string | null;
  /** call_request_url: the LaML (cXML) webhook when callHandler is laml_webhooks. */
  requestUrl: string | null;
  /** What any other handler points at (application, topic, resource id), for display only. */
  handlerRef: string | null;
}

/** Checks the credentials and finds the number in the space; a missing number is a UsageError. */
export async function findNumber(conn: SignalWireConn, e164: string): Promise<NumberInfo> {
  const rows = await listAll<WireNumber>(conn, {
    method: 'GET',
    // encodeURIComponent: a bare "+" in a query string reads as a space.
    path: `${PHONE_NUMBERS}?filter_number=${encodeURIComponent(e164)}`,
    what: 'list phone numbers',
    scope: 'Numbers',
    checksCredentials: true,
  });
  // filter_number matches substrings; only the exact number will do.
  const row = rows.find((r) => r.number === e164);
  if (!row) throw new NumberNotInSpaceError(e164, spaceOf(conn));
  return toNumberInfo(row);
}

/** Every number of the space (the test call dials ours from another one). */
export async function listNumbers(conn: SignalWireConn): Promise<NumberInfo[]> {
  const rows = await listAll<WireNumber>(conn, { method: 'GET', path: PHONE_NUMBERS, what: 'list phone numbers', scope: 'Numbers', checksCredentials: true });
  return rows.map(toNumberInfo);
}

/** The verified caller IDs of the space (only those verified): a trial space may call these and its own numbers. */
export async function listVerifiedNumbers(conn: SignalWireConn): Promise<string[]> {
  const rows = await listAll<{ number?: string; verified?: boolean }>(conn, { method: 'GET', path: VERIFIED_CALLER_IDS, what: 'list verified caller IDs', scope: 'Voice' });
  return rows.filter((r) => r.verified && typeof r.number === 'string').map((r) => r.number!);
}

/** Sets the number's call handler to the SWML at `url`, then checks that SignalWire kept it; the number as answered. */
export async function pointNumber(conn: SignalWireConn, number: NumberInfo, url: string): Promise<NumberInfo | undefined> {
  const body = await call<WireNumber>(conn, {
    method: 'PUT',
    path: `${PHONE_NUMBERS}/${encodeURIComponent(number.id)}`,
    body: { call_handler: 'relay_script', call_relay_script_url: url },
    what: `update ${number.number}`,
    scope: 'Numbers',
  });
  const after = body && typeof body === 'object' && typeof body.id === 'string' ? toNumberInfo(body) : undefined;
  if (after && !runsUrl(after, url))
    throw new ServiceError('SignalWire', `SignalWire accepted the update of ${number.number} but it still runs ${describeHandler(after)}`);
  return after;
}

// ---------------------------------------------------------------------------------------------
// Describing

// Handler → its words and the field that says what it points at, from SignalWire's handler list.
const HANDLERS: Record<string, [label: string, field: keyof WireNumber | null]> = {
  relay_script: ['SWML script', 'call_relay_script_url'],
  laml_webhooks: ['LaML webhook', 'call_request_url'],
  laml_application: ['LaML application', 'call_laml_application_id'],
  relay_application: ['RELAY application', 'call_relay_application'],
  relay_topic: ['RELAY topic', 'call_relay_topic'],
  relay_context: ['RELAY context', 'call_relay_context'],
  relay_connector: ['RELAY connector', 'call_relay_connector_id'],
  relay_sip_endpoint: ['SIP endpoint', 'call_sip_endpoint_id'],
  relay_verto_endpoint: ['Verto endpoint', 'call_verto_resource'],
  dialogflow: ['Dialogflow agent', 'call_dialogflow_agent_id'],
  video_room: ['video room', 'call_video_room_id'],
  call_flow: ['Call Flow', 'calling_handler_resource_id'],
  ai_agent: ['AI agent', 'calling_handler_resource_id'],
  fabric_subscriber: ['subscriber', 'calling_handler_resource_id'],
  sip_gateway: ['SIP gateway', 'calling_handler_resource_id'],
  call_queue: ['call queue', 'calling_handler_resource_id'],
};

/** Where the number sends calls now, in words, credentials in URLs masked. */
export function describeHandler(n: NumberInfo): string {
  if (!n.callHandler) return 'no call handler';
  const label = HANDLERS[n.callHandler]?.[0] ?? n.callHandler;
  const ref = n.callHandler === 'relay_script' ? n.scriptUrl : n.callHandler === 'laml_webhooks' ? n.requestUrl : n.handlerRef;
  if (!ref) return label;
  return `${label} ${/^https?:\/\//i.test(ref) ? safeUrl(ref) : ref}`;
}

const SECRET_PARAM = /token|secret|key|pass|sig|auth/i;

/** A URL fit to print: any password in it, and query values that look like credentials, masked. */
export function safeUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return raw.replace(/\/\/([^/@:\s]*):[^/@\s]*@/, '//$1:••••@');
  }
  // URL would percent-encode the mask, so a plain placeholder goes in and the mask replaces it after.
  const hole = 'MASKEDVALUE0';
  if (u.password) u.password = hole;
  for (const [k] of u.searchParams) if (SECRET_PARAM.test(k)) u.searchParams.set(k, hole);
  return u.toString().split(hole).join('••••');
}

export function runsUrl(n: NumberInfo, url: string): boolean {
  return n.callHandler === 'relay_script' && n.scriptUrl === url;
}

interface WireNumber {
  id: string;
  number: string;
  name?: string | null;
  call_handler?: string | null;
  call_relay_script_url?: string | null;
  call_request_url?: string | null;
  call_laml_application_id?: string | null;
  call_relay_application?: string | null;
  call_relay_topic?: string | null;
  call_relay_context?: string | null;
  call_relay_connector_id?: string | null;
  call_sip_endpoint_id?: string | null;
  call_verto_resource?: string | null;
  call_dialogflow_agent_id?: string | null;
  call_video_room_id?: string | null;
  calling_handler_resource_id?: string | null;
}

function toNumberInfo(w: WireNumber): NumberInfo {
  const field = w.call_handler ? HANDLERS[w.call_handler]?.[1] : null;
  const ref = field ? w[field] : null;
  return {
    id: w.id,
    number: w.number,
    name: w.name ?? null,
    callHandler: w.call_handler ?? null,
    scriptUrl: w.call_relay_script_url ?? null,
    requestUrl: w.call_request_url ?? null,
    handlerRef: typeof ref === 'string' && ref ? ref : null,
  };
}

/** The credentials work but the space holds no such number: the wizard offers to change either, or to skip. */
export class NumberNotInSpaceError extends UsageError {
  constructor(
    readonly e164: string,
    readonly space: string,
  ) {
    super(
      `${e164} is not a number in ${space}: check ${settingName('PHONE_NUMBER')} and ${settingName('SIGNALWIRE_SPACE_URL')}, ` +
        'or buy or port the number under SignalWire → Phone Numbers',
    );
    this.name = 'NumberNotInSpaceError';
  }
}
