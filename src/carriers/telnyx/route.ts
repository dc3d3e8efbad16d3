// Routing a Telnyx number to LiveKit SIP: our FQDN connection (found again by its connection_name, the LiveKit trunk's
// name as Twilio's trunk has it), whose one FQDN is the LiveKit SIP domain, over TCP, and which hands the numbers on
// as +E.164; then the number's connection_id set to it. Names are read from team-telnyx/openapi spec3.json:
// CreateFqdnConnectionRequest, InboundFqdn, CreateFqdnRequest, UpdatePhoneNumberRequest.
import { ServiceError, UsageError } from '../../errors.js';
import type { Change } from '../../changes.js';
import { DEFAULT_NAME, type Values } from '../../settings.js';
import { call, listAll, q, type TelnyxConn } from './http.js';

/** LiveKit Cloud wants TCP (livekit/sip#583); FqdnConnectionTransportProtocol is UDP, TCP or TLS (default UDP). */
export const TRANSPORT = 'TCP';
/**
 * How the connection writes the caller (ANI) and the called number (DNIS) into its INVITE: both with a `+`, so the
 * To user is the number in E.164 as LiveKit's trunk holds it. The enums differ in case in InboundFqdn:
 * ani_number_format "+E.164", dnis_number_format "+e164" (defaults "E.164-national" and "e164").
 */
export const ANI_FORMAT = '+E.164';
export const DNIS_FORMAT = '+e164';
/** CreateFqdnRequest requires dns_record_type, a free string; "a": the SIP domain is looked up as an A record. */
export const DNS_RECORD_TYPE = 'a';
const SIP_PORT = 5060;

/** Where the number's calls should go: our connection, and its FQDN. */
export interface TelnyxTarget {
  connectionName: string;
  fqdn: string;
  port: number;
}

export interface TelnyxNumber {
  id: string;
  phoneNumber: string;
  /** The connection the number is on, or null. */
  connectionId: string | null;
  connectionName: string | null;
  /** The number's tags, ours included (see PREVIOUS_TAG). */
  tags: string[];
}

/**
 * The connection a number was on before the setup moved it, kept in the number's own tags (user-assigned labels,
 * UpdatePhoneNumberRequest.tags) so `remove` can put it back: Telnyx keeps no history of a number's connection.
 */
const PREVIOUS_TAG = 'create-sip-inbound:previous-connection=';
const previousOf = (n: TelnyxNumber) => n.tags.find((t) => t.startsWith(PREVIOUS_TAG))?.slice(PREVIOUS_TAG.length) || undefined;
const withoutOurs = (tags: string[]) => tags.filter((t) => !t.startsWith(PREVIOUS_TAG));

export interface TelnyxConnection {
  id: string;
  name: string;
  transport: string | undefined;
  ani: string | undefined;
  dnis: string | undefined;
}

export interface TelnyxFqdn {
  id: string;
  fqdn: string;
  port: number;
  dnsRecordType: string;
}

export interface TelnyxState {
  number: TelnyxNumber;
  /** Our FQDN connection (by connection_name), when it exists. */
  connection?: TelnyxConnection;
  /** Our connection's FQDNs. */
  fqdns: TelnyxFqdn[];
}

/** The host and port of LIVEKIT_SIP_DOMAIN (`host` or `host:port`; 5060 when none, as Fqdn.port defaults). */
export function telnyxTarget(values: Values): TelnyxTarget {
  const domain = values.LIVEKIT_SIP_DOMAIN ?? '';
  const m = /^(.*):(\d+)$/.exec(domain);
  return { connectionName: values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME, fqdn: m ? m[1]! : domain, port: m ? Number(m[2]) : SIP_PORT };
}

/** The credentials work but the account holds no such number. */
export class NumberNotInAccountError extends UsageError {
  constructor(readonly e164: string) {
    super(`${e164} is not a number of this Telnyx account: check --number (PHONE_NUMBER) and TELNYX_API_KEY, or buy or port it under Telnyx portal → Numbers`);
    this.name = 'NumberNotInAccountError';
  }
}

/** One cheap read that proves the key: the account's balance (a wrong key answers 401). */
export async function checkKey(conn: TelnyxConn): Promise<void> {
  await call(conn, { method: 'GET', path: '/balance', what: 'read the account balance' });
}

interface WireNumber {
  id?: string;
  phone_number?: string;
  connection_id?: string | null;
  connection_name?: string | null;
  tags?: string[];
}

export async function findNumber(conn: TelnyxConn, e164: string): Promise<TelnyxNumber> {
  // The filter takes digits only ("non-numerical characters will result in no values being returned", spec3.json)
  // and matches part of a number: send the digits, then match the number exactly.
  const digits = e164.replace(/\D/g, '');
  const rows = await listAll<WireNumber>(conn, { method: 'GET', path: `/phone_numbers?filter[phone_number]=${digits}`, what: 'find the number' });
  const row = rows.find((r) => r.phone_number === e164);
  if (!row?.id) throw new NumberNotInAccountError(e164);
  return { id: row.id, phoneNumber: e164, connectionId: row.connection_id || null, connectionName: row.connection_name ?? null, tags: row.tags ?? [] };
}

export async function listNumbers(conn: TelnyxConn): Promise<string[]> {
  const rows = await listAll<WireNumber>(conn, { method: 'GET', path: '/phone_numbers', what: 'list phone numbers' });
  return rows.flatMap((r) => (r.phone_number ? [r.phone_number] : []));
}

interface WireConnection {
  id?: string;
  connection_name?: string;
  transport_protocol?: string;
  inbound?: { ani_number_format?: string; dnis_number_format?: string };
}

export async function observeTelnyx(conn: TelnyxConn, e164: string, target: TelnyxTarget): Promise<TelnyxState> {
  await checkKey(conn);
  const [number, rows] = await Promise.all([
    findNumber(conn, e164),
    // The filter matches names containing ours, ignoring case, and needs three characters (Telnyx's API reference):
    // keep only the exact name, and list them all for a shorter one.
    listAll<WireConnection>(conn, {
      method: 'GET',
      path: target.connectionName.length >= 3 ? `/fqdn_connections?filter[connection_name][contains]=${q(target.connectionName)}` : '/fqdn_connections',
      what: 'list FQDN connections',
    }),
  ]);
  const ours = rows.filter((c) => c.id && c.connection_name === target.connectionName);
  // Several of our name (made by hand, say): prefer the one the number is on.
  const c = ours.find((x) => x.id === number.connectionId) ?? ours[0];
  if (!c?.id) return { number, fqdns: [] };
  const wire = await listAll<{ id?: string; fqdn?: string; port?: number | null; dns_record_type?: string }>(conn, {
    method: 'GET',
    path: `/fqdns?filter[connection_id]=${q(c.id)}`,
    what: "list the connection's FQDNs",
  });
  const fqdns = wire.flatMap((f) => (f.id ? [{ id: f.id, fqdn: f.fqdn ?? '', port: f.port ?? SIP_PORT, dnsRecordType: f.dns_record_type ?? '' }] : []));
  const connection = { id: c.id, name: c.connection_name!, transport: c.transport_protocol, ani: c.inbound?.ani_number_format, dnis: c.inbound?.dnis_number_format };
  return { number, connection, fqdns };
}

const where = (f: { fqdn: string; port: number }) => `${f.fqdn}:${f.port}`;

/** What must change on Telnyx, old → new; none when the number is on our connection and it sends to LiveKit. */
export function planTelnyx(conn: TelnyxConn, e164: string, target: TelnyxTarget, state: TelnyxState): Change[] {
  const changes: Change[] = [];
  const name = target.connectionName;
  // A connection this plan creates has its id only once its change has run.
  const connId = { value: state.connection?.id };
  const id = () => {
    if (!connId.value) throw new ServiceError('Telnyx', `Telnyx FQDN connection "${name}" has no id yet: rerun to finish`);
    return connId.value;
  };
  const c = state.connection;
  if (!c)
    changes.push({
      target: 'carrier',
      summary: `Telnyx: create FQDN connection "${name}" (${TRANSPORT}, caller and called number as +E.164)`,
      apply: async () => {
        const body = { connection_name: name, transport_protocol: TRANSPORT, inbound: { ani_number_format: ANI_FORMAT, dnis_number_format: DNIS_FORMAT } };
        const made = await call<{ data?: { id?: string } }>(conn, { method: 'POST', path: '/fqdn_connections', body, what: `create FQDN connection "${name}"` });
        if (!made?.data?.id) throw new ServiceError('Telnyx', 'Telnyx answered the connection create without an id: rerun to retry');
        connId.value = made.data.id;
      },
    });
  else {
    // Only the fields that differ, each old → new.
    const diffs: string[] = [];
    const body: { transport_protocol?: string; inbound?: { ani_number_format?: string; dnis_number_format?: string } } = {};
    if (c.transport !== TRANSPORT) (body.transport_protocol = TRANSPORT), diffs.push(`transport ${c.transport ?? 'unset'} → ${TRANSPORT}`);
    if (c.ani !== ANI_FORMAT) ((body.inbound ??= {}).ani_number_format = ANI_FORMAT), diffs.push(`caller format ${c.ani ?? 'unset'} → ${ANI_FORMAT}`);
    if (c.dnis !== DNIS_FORMAT) ((body.inbound ??= {}).dnis_number_format = DNIS_FORMAT), diffs.push(`called format ${c.dnis ?? 'unset'} → ${DNIS_FORMAT}`);
    if (diffs.length)
      changes.push({
        target: 'carrier',
        summary: `Telnyx connection "${name}": ${diffs.join(', ')}`,
        apply: async () => {
          await call(conn, { method: 'PATCH', path: `/fqdn_connections/${q(c.id)}`, body, what: `update FQDN connection "${name}"` });
        },
      });
  }
  const want = { fqdn: target.fqdn, port: target.port, dns_record_type: DNS_RECORD_TYPE };
  const exact = state.fqdns.find((f) => f.fqdn === target.fqdn && f.port === target.port && f.dnsRecordType === DNS_RECORD_TYPE);
  const other = state.fqdns[0];
  if (!exact && other)
    changes.push({
      target: 'carrier',
      summary: `Telnyx connection "${name}": FQDN ${where(other)} → ${where(target)}`,
      apply: async () => {
        await call(conn, { method: 'PATCH', path: `/fqdns/${q(other.id)}`, body: want, what: 'update the FQDN' });
      },
    });
  else if (!exact)
    changes.push({
      target: 'carrier',
      summary: `Telnyx connection "${name}": add FQDN ${where(target)}`,
      apply: async () => {
        await call(conn, { method: 'POST', path: '/fqdns', body: { connection_id: id(), ...want }, what: 'add the FQDN' });
      },
    });
  if (!c || state.number.connectionId !== c.id) {
    const n = state.number;
    const now = n.connectionId ? `connection ${n.connectionId}${n.connectionName ? ` "${n.connectionName}"` : ''}` : 'no connection';
    // The connection it leaves is noted in its tags for `remove`; one noted by an earlier setup is kept.
    const previous = n.connectionId ?? previousOf(n);
    const tags = previous ? [...withoutOurs(n.tags), `${PREVIOUS_TAG}${previous}`] : undefined;
    changes.push({
      target: 'carrier',
      summary: `Telnyx ${e164}: put on connection "${name}" (now: ${now}${n.connectionId ? '; noted in its tags, for remove to restore' : ''})`,
      apply: async () => {
        await call(conn, { method: 'PATCH', path: `/phone_numbers/${q(n.id)}`, body: { connection_id: id(), ...(tags ? { tags } : {}) }, what: `put ${e164} on the connection` });
      },
    });
  }
  return changes;
}

/**
 * For `remove`: take the number off our connection, back to the connection it was on before the setup (noted in
 * its tags), else none; our connection and its FQDN stay (other numbers may use them). No connection is "" in
 * UpdatePhoneNumberRequest, whose connection_id is a plain string; that Telnyx reads "" as "no connection" is
 * *unverified* against a real account.
 */
export function planUnrouteTelnyx(conn: TelnyxConn, e164: string, state: TelnyxState): Change[] {
  const c = state.connection;
  const n = state.number;
  if (!c || n.connectionId !== c.id) return [];
  const previous = previousOf(n);
  const back = previous ? `connection ${previous}, its connection before the setup` : 'none: no earlier connection is noted';
  return [
    {
      target: 'carrier',
      summary: `Telnyx ${e164}: take off connection "${c.name}" (connection ${c.id} → ${back})`,
      apply: async () => {
        const body = { connection_id: previous ?? '', ...(previous ? { tags: withoutOurs(n.tags) } : {}) };
        await call(conn, { method: 'PATCH', path: `/phone_numbers/${q(n.id)}`, body, what: `take ${e164} off the connection` });
      },
    },
  ];
}
