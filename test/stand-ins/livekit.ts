// A LiveKit stand-in: the Twirp API the wizard and the check call, on loopback (loopback.ts), strict where
// LiveKit is. Every request is decoded with @livekit/protocol's fromJson as livekit-server's Twirp decodes
// it (unknown fields ignored, a wrong type refused), the bearer JWT is verified with TokenVerifier and must
// carry the grant the real server demands (pkg/service/auth.go: auth failures 401 text/plain, a missing
// grant 401 unauthenticated "permissions denied"), LiveKit's conflicts are enforced (one number, in any
// form, on two inbound trunks; two rules for one trunk and number), and errors take Twirp's
// { code, msg, meta } shape. It takes the stand-ins' one fault shape and can simulate an inbound call.
//
// Where each behaviour comes from (livekit/livekit pkg/service/sip.go and ioservice_sip.go, livekit/protocol
// sip/sip.go and livekit/sip.go, as of protocol v1.50.5, the version livekit-server v1.13.5 builds with):
// - numbers are compared as LiveKit's NormalizeNumber leaves them (src/services/sip-number.ts): trunk
//   matching (MatchTrunkDetailed), trunk conflicts (ValidateTrunksIter) and the trunk list filter
//   (ListSIPInboundTrunkRequest.Filter); a dispatch rule's `numbers` / `inboundNumbers` filters compare the
//   called / calling number as written (MatchDispatchRuleIter: slices.Contains);
// - conflicts are checked on create and update, answering invalid_argument with LiveKit's own messages:
//   "Conflicting inbound SIP Trunks: …" (validateTrunkInbound) and "Dispatch rule for the same trunk,
//   inbound number, number, and PIN combination already exists …" (DispatchRuleValidator.Validate);
// - a call: the trunk holding the called number (else the one trunk holding none), "Multiple SIP Trunks
//   matched" for two; then the rule naming that trunk before one naming none, by DispatchRulePriority;
//   the individual rule's room name, the SIP participant's attributes, the agent joining.
// It also listens for SIP on TCP (`sipHost`) and answers OPTIONS 200 OK, as livekit-sip does: enough for the
// check's SIP service hop. The contract tests run the same scenarios against the real server.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { JsonValue } from '@bufbuild/protobuf';
import {
  AgentDispatch,
  CreateAgentDispatchRequest,
  CreateRoomRequest,
  CreateSIPDispatchRuleRequest,
  CreateSIPInboundTrunkRequest,
  DeleteAgentDispatchRequest,
  DeleteRoomRequest,
  DeleteRoomResponse,
  DeleteSIPDispatchRuleRequest,
  DeleteSIPTrunkRequest,
  ListAgentDispatchRequest,
  ListAgentDispatchResponse,
  ListParticipantsRequest,
  ListParticipantsResponse,
  ListRoomsRequest,
  ListRoomsResponse,
  ListSIPDispatchRuleRequest,
  ListSIPDispatchRuleResponse,
  ListSIPInboundTrunkRequest,
  ListSIPInboundTrunkResponse,
  ListUpdate,
  ParticipantInfo,
  ParticipantInfo_Kind,
  ParticipantInfo_State,
  Room,
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SIPTrunkInfo,
  SIPTrunkInfo_TrunkKind,
  UpdateSIPDispatchRuleRequest,
  UpdateSIPInboundTrunkRequest,
} from '@livekit/protocol';
import { TokenVerifier, type ClaimGrants } from 'livekit-server-sdk';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { normalizeNumber, sameNumber } from '../../src/services/sip-number.ts';
import { Answer, startLoopback, type Exchange, type Fault, type LoggedRequest as KernelRequest } from './loopback.ts';

export interface StandInKey {
  apiKey: string;
  apiSecret: string;
  /** false: the key may not manage SIP (LiveKit Cloud lets a key lack permissions); SIP calls are refused as without the grant. */
  sipAdmin?: boolean;
  /** false: room and agent-dispatch calls are refused as without the grant. */
  roomAdmin?: boolean;
}

export interface LiveKitStandInOptions {
  /** The main key (every permission). Default: a fixed key and a random secret. */
  apiKey?: string;
  apiSecret?: string;
  /** More keys, e.g. one without the SIP admin permission. */
  keys?: StandInKey[];
}

export type { Fault };

export interface LoggedRequest extends KernelRequest {
  /** The Twirp service and method, e.g. "SIP" and "CreateSIPInboundTrunk". */
  service: string;
  rpc: string;
  /** `body` is the request as @livekit/protocol decoded it (e.g. a CreateSIPInboundTrunkRequest) once decoded. */
  /** Why decoding failed: the real server answers only "the json request could not be decoded". */
  decodeError?: string;
  /** The API key that signed the token, when there was one. */
  apiKey?: string | undefined;
}

export interface StandInRoom {
  room: Room;
  participants: ParticipantInfo[];
  dispatches: AgentDispatch[];
}

export interface Worker {
  /** undefined: an automatic worker (joins rooms whose rule names no agent). */
  agentName?: string;
  joinDelayMs: number;
}

export interface SimulatedCall {
  room: string;
  /** The caller's SIP participant. */
  participant: ParticipantInfo;
}

export interface LiveKitStandIn {
  /** http://127.0.0.1:<port>: use as LIVEKIT_URL. */
  url: string;
  /** 127.0.0.1:<port>, a TCP listener standing for LiveKit SIP: use as LIVEKIT_SIP_DOMAIN. */
  sipHost: string;
  apiKey: string;
  apiSecret: string;
  trunks: Map<string, SIPInboundTrunkInfo>;
  rules: Map<string, SIPDispatchRuleInfo>;
  rooms: Map<string, StandInRoom>;
  requests: LoggedRequest[];
  /** A fault for matching requests; `match` "ListSIPInboundTrunk" is that Twirp method. */
  fault(fault: Fault): void;
  clearFaults(): void;
  registerWorker(agentName?: string, opts?: { joinDelayMs?: number }): void;
  unregisterWorkers(): void;
  /**
   * An inbound INVITE to `to` from `from`. With `auth`, the trunk's digest credentials must match it
   * (without, the stand-in cannot know what the caller would answer, and does not check).
   */
  /** `source`: the caller's IP address, checked against a trunk's allowedAddresses; left out, it is not checked. */
  simulateCall(call: { to: string; from: string; auth?: { username: string; password: string }; source?: string }): Promise<SimulatedCall>;
  stop(): Promise<void>;
}

/** An error in Twirp's terms, answered as { code, msg, meta }; simulateCall throws it too. */
export class TwirpFailure extends Answer {
  constructor(
    readonly code: TwirpCode,
    msg: string,
    readonly meta: Record<string, string> = {},
  ) {
    super(TWIRP_STATUS[code], { code, msg, ...(Object.keys(meta).length ? { meta } : {}) });
    this.name = 'TwirpFailure';
    this.message = msg;
  }
}

const TWIRP_STATUS = {
  canceled: 408, invalid_argument: 400, malformed: 400, deadline_exceeded: 408, not_found: 404, bad_route: 404,
  already_exists: 409, permission_denied: 403, unauthenticated: 401, resource_exhausted: 429,
  failed_precondition: 412, aborted: 409, out_of_range: 400, unimplemented: 501, internal: 500, unavailable: 503,
  dataloss: 500, unknown: 500,
} as const;
export type TwirpCode = keyof typeof TWIRP_STATUS;

const codeForStatus = (status: number): TwirpCode =>
  (Object.entries(TWIRP_STATUS).find(([, s]) => s === status)?.[0] as TwirpCode | undefined) ?? (status >= 500 ? 'internal' : 'unknown');

/** What a method demands of the token: the SIP admin grant, or a video grant (roomAdmin for one room). */
type Need = { sip: true } | { video: 'roomList' | 'roomCreate' } | { video: 'roomAdmin'; room: string };

interface Route {
  decode(json: JsonValue): unknown;
  need(body: unknown): Need;
  handle(body: unknown): Reply;
}

type Reply = { toJson(opts?: { emitDefaultValues?: boolean; useProtoFieldName?: boolean }): JsonValue };

function route<T>(
  type: { fromJson(json: JsonValue, opts?: { ignoreUnknownFields?: boolean }): T },
  need: (body: T) => Need,
  handle: (body: T) => Reply,
): Route {
  // As Twirp's protojson decoding in livekit-server (DiscardUnknown): unknown fields and enum names are
  // ignored, a known field of the wrong type is refused.
  return { decode: (json) => type.fromJson(json, { ignoreUnknownFields: true }), need: (b) => need(b as T), handle: (b) => handle(b as T) };
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const rand = (n = 12) => Array.from(randomBytes(n), (b) => ALPHABET[b % ALPHABET.length]).join('');

export async function startLiveKit(opts: LiveKitStandInOptions = {}): Promise<LiveKitStandIn> {
  const main: StandInKey = { apiKey: opts.apiKey ?? 'APIstandin', apiSecret: opts.apiSecret ?? `secret${randomBytes(18).toString('hex')}` };
  const keys = new Map([main, ...(opts.keys ?? [])].map((k) => [k.apiKey, k]));
  const trunks = new Map<string, SIPInboundTrunkInfo>();
  const rules = new Map<string, SIPDispatchRuleInfo>();
  const rooms = new Map<string, StandInRoom>();
  let workers: Worker[] = [];
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();

  // ── SIP ──
  const sip: Need = { sip: true };
  const findTrunk = (id: string) => {
    const t = trunks.get(id);
    if (!t) throw new TwirpFailure('not_found', `could not find inbound trunk: ${id}`);
    return t;
  };
  const findRule = (id: string) => {
    const r = rules.get(id);
    if (!r) throw new TwirpFailure('not_found', `could not find dispatch rule: ${id}`);
    return r;
  };
  const storeTrunk = (t: SIPInboundTrunkInfo) => {
    const others = [...trunks.values()].filter((o) => o.sipTrunkId !== t.sipTrunkId);
    const conflict = trunkConflict([...others, t]);
    if (conflict) throw new TwirpFailure('invalid_argument', conflict);
    if (!t.sipTrunkId) t.sipTrunkId = `ST_${rand()}`;
    trunks.set(t.sipTrunkId, t);
    return t;
  };
  const storeRule = (r: SIPDispatchRuleInfo) => {
    if (!r.rule?.rule.case) throw new TwirpFailure('invalid_argument', 'dispatch rule is missing its rule (direct, individual or callee)');
    const others = [...rules.values()].filter((o) => o.sipDispatchRuleId !== r.sipDispatchRuleId);
    const conflict = ruleConflict([...others, r]);
    if (conflict) throw new TwirpFailure('invalid_argument', conflict);
    if (!r.sipDispatchRuleId) r.sipDispatchRuleId = `SDR_${rand()}`;
    rules.set(r.sipDispatchRuleId, r);
    return r;
  };

  const routes: Record<string, Route> = {
    'SIP/CreateSIPInboundTrunk': route(CreateSIPInboundTrunkRequest, () => sip, (req) => {
      if (!req.trunk) throw new TwirpFailure('invalid_argument', 'trunk is required');
      const t = req.trunk.clone();
      t.sipTrunkId = '';
      return storeTrunk(t);
    }),
    'SIP/ListSIPInboundTrunk': route(ListSIPInboundTrunkRequest, () => sip, (req) => {
      let items = req.trunkIds.length ? req.trunkIds.flatMap((id) => trunks.get(id) ?? []) : [...trunks.values()];
      // "Only list trunks that contain one of the numbers, including wildcard trunks", in any form LiveKit
      // normalises to the same number (ListSIPInboundTrunkRequest.Filter).
      if (req.numbers.length) items = items.filter((t) => !t.numbers.length || t.numbers.some((n) => req.numbers.some((q) => sameNumber(n, q))));
      return new ListSIPInboundTrunkResponse({ items });
    }),
    'SIP/UpdateSIPInboundTrunk': route(UpdateSIPInboundTrunkRequest, () => sip, (req) => {
      const next = findTrunk(req.sipTrunkId).clone();
      const a = req.action;
      if (a.case === 'replace') {
        const t = a.value.clone();
        t.sipTrunkId = req.sipTrunkId;
        return storeTrunk(t);
      }
      if (a.case !== 'update') throw new TwirpFailure('invalid_argument', 'update or replace is required');
      const u = a.value;
      if (u.numbers) next.numbers = applyListUpdate(next.numbers, u.numbers);
      if (u.allowedAddresses) next.allowedAddresses = applyListUpdate(next.allowedAddresses, u.allowedAddresses);
      if (u.allowedNumbers) next.allowedNumbers = applyListUpdate(next.allowedNumbers, u.allowedNumbers);
      if (u.authUsername !== undefined) next.authUsername = u.authUsername;
      if (u.authPassword !== undefined) next.authPassword = u.authPassword;
      if (u.authRealm !== undefined) next.authRealm = u.authRealm;
      if (u.name !== undefined) next.name = u.name;
      if (u.metadata !== undefined) next.metadata = u.metadata;
      if (u.media) next.media = u.media;
      return storeTrunk(next);
    }),
    'SIP/DeleteSIPTrunk': route(DeleteSIPTrunkRequest, () => sip, (req) => {
      const t = findTrunk(req.sipTrunkId);
      trunks.delete(t.sipTrunkId);
      return new SIPTrunkInfo({ sipTrunkId: t.sipTrunkId, kind: SIPTrunkInfo_TrunkKind.TRUNK_INBOUND, name: t.name, inboundNumbers: t.numbers });
    }),
    'SIP/CreateSIPDispatchRule': route(CreateSIPDispatchRuleRequest, () => sip, (req) => {
      // The SDK still sends the flat (deprecated) fields; newer clients send dispatchRule. LiveKit takes both.
      const r = req.dispatchRule?.clone() ?? new SIPDispatchRuleInfo({
        rule: req.rule, trunkIds: req.trunkIds, hidePhoneNumber: req.hidePhoneNumber, inboundNumbers: req.inboundNumbers,
        name: req.name, metadata: req.metadata, attributes: req.attributes, roomPreset: req.roomPreset, roomConfig: req.roomConfig,
      });
      r.sipDispatchRuleId = '';
      return storeRule(r);
    }),
    'SIP/ListSIPDispatchRule': route(ListSIPDispatchRuleRequest, () => sip, (req) => {
      let items = req.dispatchRuleIds.length ? req.dispatchRuleIds.flatMap((id) => rules.get(id) ?? []) : [...rules.values()];
      // "Only list rules that contain one of the Trunk IDs, including wildcard rules."
      if (req.trunkIds.length) items = items.filter((r) => !r.trunkIds.length || r.trunkIds.some((id) => req.trunkIds.includes(id)));
      return new ListSIPDispatchRuleResponse({ items });
    }),
    'SIP/UpdateSIPDispatchRule': route(UpdateSIPDispatchRuleRequest, () => sip, (req) => {
      const next = findRule(req.sipDispatchRuleId).clone();
      const a = req.action;
      if (a.case === 'replace') {
        const r = a.value.clone();
        r.sipDispatchRuleId = req.sipDispatchRuleId;
        return storeRule(r);
      }
      if (a.case !== 'update') throw new TwirpFailure('invalid_argument', 'update or replace is required');
      const u = a.value;
      if (u.trunkIds) next.trunkIds = applyListUpdate(next.trunkIds, u.trunkIds);
      if (u.rule) next.rule = u.rule;
      if (u.name !== undefined) next.name = u.name;
      if (u.metadata !== undefined) next.metadata = u.metadata;
      if (Object.keys(u.attributes).length) next.attributes = { ...u.attributes };
      if (u.media) next.media = u.media;
      return storeRule(next);
    }),
    'SIP/DeleteSIPDispatchRule': route(DeleteSIPDispatchRuleRequest, () => sip, (req) => {
      const r = findRule(req.sipDispatchRuleId);
      rules.delete(r.sipDispatchRuleId);
      return r;
    }),

    // ── Rooms ──
    'RoomService/ListRooms': route(ListRoomsRequest, () => ({ video: 'roomList' }), (req) => {
      const list = [...rooms.values()].filter((r) => !req.names.length || req.names.includes(r.room.name));
      return new ListRoomsResponse({ rooms: list.map(roomInfo) });
    }),
    'RoomService/CreateRoom': route(CreateRoomRequest, () => ({ video: 'roomCreate' }), (req) => {
      if (!req.name) throw new TwirpFailure('invalid_argument', 'room name is required');
      const fresh = !rooms.has(req.name);
      const r = ensureRoom(req.name, req.metadata);
      for (const a of req.agents) dispatch(r, a.agentName, a.metadata);
      // A worker that registered no agent_name is dispatched to every new room (automatic dispatch).
      if (fresh && !req.agents.length) for (const w of workers.filter((w) => !w.agentName)) joinAgent(r, w);
      return roomInfo(r);
    }),
    'RoomService/DeleteRoom': route(DeleteRoomRequest, () => ({ video: 'roomCreate' }), (req) => {
      if (!rooms.delete(req.room)) throw new TwirpFailure('not_found', 'requested room does not exist');
      return new DeleteRoomResponse();
    }),
    'RoomService/ListParticipants': route(ListParticipantsRequest, (req) => ({ video: 'roomAdmin', room: req.room }), (req) => {
      const r = rooms.get(req.room);
      if (!r) throw new TwirpFailure('not_found', 'requested room does not exist');
      return new ListParticipantsResponse({ participants: r.participants });
    }),

    // ── Agent dispatch ──
    'AgentDispatchService/CreateDispatch': route(CreateAgentDispatchRequest, (req) => ({ video: 'roomAdmin', room: req.room }), (req) => {
      if (!req.room) throw new TwirpFailure('invalid_argument', 'room is required');
      const fresh = !rooms.has(req.room);
      const r = ensureRoom(req.room);
      // As the real server: a room the dispatch creates is also handed to every unnamed worker.
      if (fresh && req.agentName) for (const w of workers.filter((w) => !w.agentName)) joinAgent(r, w);
      return dispatch(r, req.agentName, req.metadata);
    }),
    'AgentDispatchService/ListDispatch': route(ListAgentDispatchRequest, (req) => ({ video: 'roomAdmin', room: req.room }), (req) => {
      const list = rooms.get(req.room)?.dispatches ?? [];
      return new ListAgentDispatchResponse({ agentDispatches: list.filter((d) => !req.dispatchId || d.id === req.dispatchId) });
    }),
    'AgentDispatchService/DeleteDispatch': route(DeleteAgentDispatchRequest, (req) => ({ video: 'roomAdmin', room: req.room }), (req) => {
      const r = rooms.get(req.room);
      const d = r?.dispatches.find((x) => x.id === req.dispatchId);
      if (!r || !d) throw new TwirpFailure('not_found', `dispatch ${req.dispatchId} not found`);
      r.dispatches = r.dispatches.filter((x) => x !== d);
      return d;
    }),
  };

  // ── Rooms, participants and agents ──
  function ensureRoom(name: string, metadata = ''): StandInRoom {
    let r = rooms.get(name);
    if (!r) {
      const now = Date.now();
      r = {
        room: new Room({ sid: `RM_${rand()}`, name, metadata, emptyTimeout: 300, departureTimeout: 20, creationTime: BigInt(Math.floor(now / 1000)), creationTimeMs: BigInt(now) }),
        participants: [],
        dispatches: [],
      };
      rooms.set(name, r);
    }
    return r;
  }
  function roomInfo(r: StandInRoom): Room {
    const info = r.room.clone();
    info.numParticipants = r.participants.length;
    return info;
  }
  function dispatch(r: StandInRoom, agentName: string, metadata = ''): AgentDispatch {
    const d = new AgentDispatch({ id: `AD_${rand()}`, agentName, room: r.room.name, metadata });
    r.dispatches.push(d);
    // An explicit dispatch reaches only a worker registered under that name; '' reaches automatic workers.
    for (const w of workers.filter((w) => (w.agentName ?? '') === agentName)) joinAgent(r, w);
    return d;
  }
  function joinAgent(r: StandInRoom, w: Worker): void {
    const join = () => {
      if (stopping.signal.aborted || rooms.get(r.room.name) !== r) return;
      const now = Date.now();
      r.participants.push(
        new ParticipantInfo({
          sid: `PA_${rand()}`, identity: `agent-AJ_${rand()}`, name: w.agentName ?? 'agent', kind: ParticipantInfo_Kind.AGENT,
          state: ParticipantInfo_State.ACTIVE, joinedAt: BigInt(Math.floor(now / 1000)), joinedAtMs: BigInt(now),
          attributes: { 'lk.agent.state': 'listening', 'lk.agent_name': w.agentName ?? '' },
        }),
      );
    };
    if (w.joinDelayMs <= 0) return join();
    const t = setTimeout(() => {
      timers.delete(t);
      join();
    }, w.joinDelayMs);
    timers.add(t);
  }

  async function simulateCall(call: { to: string; from: string; auth?: { username: string; password: string }; source?: string }): Promise<SimulatedCall> {
    // MatchTrunkDetailed: callers filtered by allowedNumbers (normalised), then the trunk holding the called
    // number as written or normalised; with none, the one trunk holding no numbers.
    const callerOk = (t: SIPInboundTrunkInfo) => !t.allowedNumbers.length || t.allowedNumbers.some((n) => sameNumber(n, call.from));
    const open = [...trunks.values()].filter(callerOk);
    const holding = open.filter((t) => t.numbers.some((n) => sameNumber(n, call.to)));
    if (holding.length > 1) throw new TwirpFailure('failed_precondition', `Multiple SIP Trunks matched for "${call.to}"`);
    const defaults = open.filter((t) => !t.numbers.length);
    if (!holding.length && defaults.length > 1) throw new TwirpFailure('failed_precondition', `Multiple default SIP Trunks matched for "${call.to}"`);
    const trunk = holding[0] ?? defaults[0];
    // A caller outside the trunk's allowedAddresses gets no SIP answer at all (FACTS.md "Other carriers", measured
    // on livekit-sip v1.8.0): the carrier gives up with 408.
    if (trunk && call.source && trunk.allowedAddresses.length && !trunk.allowedAddresses.some((a) => inCidr(call.source!, a)))
      throw new TwirpFailure('deadline_exceeded', 'no answer', { sip_status_code: '408', sip_status: 'Request Timeout' });
    if (!trunk) throw new TwirpFailure('not_found', 'no trunk found', { sip_status_code: '404', sip_status: 'No trunk found' });
    if (call.auth && trunk.authUsername && (call.auth.username !== trunk.authUsername || call.auth.password !== trunk.authPassword))
      throw new TwirpFailure('unauthenticated', 'digest authentication failed', { sip_status_code: '401', sip_status: 'Unauthorized' });
    // MatchDispatchRuleIter (no PIN sent): a rule's own number filters compare as written; a rule naming
    // the trunk wins over one naming none; among them the lowest DispatchRulePriority.
    const all = [...rules.values()].filter(
      (r) => (!r.inboundNumbers.length || r.inboundNumbers.includes(call.from)) && (!r.numbers.length || r.numbers.includes(call.to)),
    );
    const best = (list: SIPDispatchRuleInfo[]) => list.sort((a, b) => rulePriority(a) - rulePriority(b))[0];
    const rule = best(all.filter((r) => r.trunkIds.includes(trunk.sipTrunkId))) ?? best(all.filter((r) => !r.trunkIds.length));
    if (!rule) throw new TwirpFailure('not_found', 'no dispatch rule matched', { sip_status_code: '404', sip_status: 'No dispatch rule' });

    const from = rule.hidePhoneNumber ? call.from.slice(-4) : call.from;
    const r = rule.rule?.rule;
    const roomName =
      r?.case === 'dispatchRuleIndividual'
        ? `${r.value.roomPrefix}_${from}_${rand()}`
        : r?.case === 'dispatchRuleCallee'
          ? `${r.value.roomPrefix ? `${r.value.roomPrefix}_` : ''}${call.to}${r.value.randomize ? `_${rand()}` : ''}`
          : r?.case === 'dispatchRuleDirect'
            ? r.value.roomName
            : '';
    if (!roomName) throw new TwirpFailure('invalid_argument', 'unsupported dispatch rule');
    const room = ensureRoom(roomName, rule.roomConfig?.metadata);
    const attributes: Record<string, string> = {
      ...rule.attributes,
      'sip.callID': `SCL_${rand()}`,
      'sip.trunkID': trunk.sipTrunkId,
      'sip.ruleID': rule.sipDispatchRuleId,
      'sip.callStatus': 'active',
    };
    if (!rule.hidePhoneNumber) Object.assign(attributes, { 'sip.phoneNumber': call.from, 'sip.trunkPhoneNumber': call.to });
    const now = Date.now();
    const participant = new ParticipantInfo({
      sid: `PA_${rand()}`, identity: `sip_${from}`, name: `Phone ${from}`, kind: ParticipantInfo_Kind.SIP, metadata: rule.metadata,
      state: ParticipantInfo_State.ACTIVE, joinedAt: BigInt(Math.floor(now / 1000)), joinedAtMs: BigInt(now), attributes,
    });
    room.participants.push(participant);

    const agents = (rule.roomConfig?.agents ?? []).map((a) => a.agentName).filter(Boolean);
    if (agents.length) for (const name of agents) dispatch(room, name);
    else for (const w of workers.filter((w) => !w.agentName)) joinAgent(room, w);
    return { room: roomName, participant };
  }

  // ── HTTP ──
  // What livekit-server does, in its order: the auth middleware first (a malformed header, token or
  // signature, or an unknown key: 401 text/plain, so the SDK's error has no code; no header: no grants),
  // then Twirp's route and Content-Type checks, the JSON decoding, and each method's grant check
  // (401 unauthenticated "permissions denied", for SIP and room calls alike).
  async function handle(x: Exchange<LoggedRequest>): Promise<void> {
    const { req, url, entry } = x;
    const auth = await authenticate(req.headers.authorization, url.searchParams.get('access_token'));
    entry.apiKey = auth?.key.apiKey;
    const r = routes[`${entry.service}/${entry.rpc}`];
    const invalidRoute = { twirp_invalid_route: `${entry.method} ${entry.path}` };
    if (req.method !== 'POST' || !r) throw new TwirpFailure('bad_route', `no handler for path "${entry.path}"`, invalidRoute);
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/.test(type)) throw new TwirpFailure('bad_route', `unexpected Content-Type: "${type}"`, invalidRoute);

    let body: unknown;
    try {
      body = r.decode(JSON.parse(x.raw) as JsonValue);
      entry.body = body;
    } catch (err) {
      // The real server says no more than this; the cause is kept in the log for the test's author.
      entry.decodeError = (err as Error).message;
      throw new TwirpFailure('malformed', 'the json request could not be decoded');
    }
    if (!allowed(auth?.claims, auth?.key, r.need(body))) throw new TwirpFailure('unauthenticated', 'permissions denied');
    // As the real server writes it: proto field names, empty fields included.
    x.send(200, r.handle(body).toJson({ emitDefaultValues: true, useProtoFieldName: true }));
  }

  /** LiveKit's APIKeyAuthMiddleware: undefined when no token was given (the method's grant check refuses it). */
  async function authenticate(header: string | undefined, param: string | null): Promise<{ key: StandInKey; claims: ClaimGrants } | undefined> {
    const refuse = (msg: string) => new Answer(401, msg);
    if (header && !header.startsWith('Bearer ')) throw refuse('invalid authorization header. Must start with Bearer ');
    const token = header ? header.slice('Bearer '.length) : param;
    if (!token) return undefined;
    // The token names its key in `iss`; the signature is then checked with that key's secret.
    let iss: unknown;
    try {
      iss = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown }).iss;
    } catch {
      throw refuse('invalid authorization token');
    }
    if (typeof iss !== 'string') throw refuse('invalid authorization token');
    const key = keys.get(iss);
    if (!key) throw refuse(`invalid API key: ${iss}`);
    try {
      return { key, claims: await new TokenVerifier(key.apiKey, key.apiSecret).verify(token) };
    } catch (err) {
      // The real server echoes the token itself: the product must never print this message.
      const why = /signature/i.test((err as Error).message) ? 'token signature is invalid: signature is invalid' : (err as Error).message;
      throw refuse(`invalid token: ${token}, error: ${why}`);
    }
  }

  const http = await startLoopback<LoggedRequest>({
    jsonType: 'application/json',
    entry: (_req, url) => {
      const m = /^\/twirp\/livekit\.(\w+)\/(\w+)$/.exec(url.pathname);
      return { service: m?.[1] ?? '', rpc: m?.[2] ?? '' };
    },
    handle,
    faultAnswer: (status) => new TwirpFailure(codeForStatus(status), `injected fault: ${status}`),
  });
  const sockets = new Set<Socket>();
  const sipServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // OPTIONS gets 200 OK with the dialog headers echoed, as livekit-sip answers it; anything else is read and ignored.
    let got = '';
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = got.slice(0, end).split('\r\n');
      got = got.slice(end + 4);
      if (!head[0]?.startsWith('OPTIONS ')) return;
      const echo = head.filter((h) => /^(Via|From|To|Call-ID|CSeq):/i.test(h));
      socket.write(['SIP/2.0 200 OK', ...echo, 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS', 'Content-Length: 0', '', ''].join('\r\n'));
    });
  });
  await new Promise<void>((resolve) => sipServer.listen(0, '127.0.0.1', resolve));
  const sipPort = (sipServer.address() as AddressInfo).port;

  return {
    url: http.url,
    sipHost: `127.0.0.1:${sipPort}`,
    apiKey: main.apiKey,
    apiSecret: main.apiSecret,
    trunks,
    rules,
    rooms,
    requests: http.requests,
    fault: http.fault,
    clearFaults: http.clearFaults,
    registerWorker: (agentName, o = {}) => void workers.push({ agentName: agentName || undefined, joinDelayMs: o.joinDelayMs ?? 0 }),
    unregisterWorkers: () => void (workers = []),
    simulateCall,
    stop: async () => {
      stopping.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await Promise.all([http.stop(), new Promise<void>((resolve) => sipServer.close(() => resolve()))]);
    },
  };
}

/** The grant the real server checks for each call (what the SDK's clients put in their tokens). */
function allowed(claims: ClaimGrants | undefined, key: StandInKey | undefined, need: Need): boolean {
  if (!claims || !key) return false;
  if ('sip' in need) return claims.sip?.admin === true && key.sipAdmin !== false;
  const v = claims.video;
  if (!v || key.roomAdmin === false) return false;
  if (need.video === 'roomAdmin') return v.roomAdmin === true && v.room === need.room;
  return v[need.video] === true;
}

/** LiveKit's ListUpdate: set, or clear, or remove then add; mixing set/clear with add/remove is refused. */
function applyListUpdate(list: string[], u: ListUpdate): string[] {
  if ((u.clear || u.set.length) && (u.add.length || u.remove.length))
    throw new TwirpFailure('invalid_argument', 'cannot set or clear and change the list at the same time');
  if (u.clear) return [];
  if (u.set.length) return [...u.set];
  const out = list.filter((x) => !u.remove.includes(x));
  for (const x of u.add) if (!out.includes(x)) out.push(x);
  return out;
}

// Go's %q of an ID and of a list of numbers, as LiveKit prints them in its errors.
const printID = (id: string) => JSON.stringify(id || '<new>');
const printName = (name: string) => JSON.stringify(name || '<blank name>');
const printNumbers = (numbers: string[]) => (numbers.length ? `[${numbers.map((n) => JSON.stringify(n)).join(' ')}]` : '<any>');

/**
 * LiveKit's ValidateTrunksIter: trunks share a bucket per normalised number (or the no-number bucket);
 * within one, two trunks conflict unless their AllowedNumbers (normalised) tell them apart. A trunk never
 * conflicts with itself, even holding one number in two forms.
 */
function trunkConflict(list: SIPInboundTrunkInfo[]): string | undefined {
  const byNumber = new Map<string, Map<string, SIPInboundTrunkInfo>>();
  for (const t of list) {
    for (const key of new Set(t.numbers.length ? t.numbers.map(normalizeNumber) : [''])) {
      const byInbound = byNumber.get(key) ?? new Map<string, SIPInboundTrunkInfo>();
      byNumber.set(key, byInbound);
      const allowed = t.allowedNumbers.length ? t.allowedNumbers : [''];
      const seen = new Set<string>();
      for (const num of allowed) {
        const inboundKey = normalizeNumber(num);
        if (seen.has(inboundKey)) continue;
        seen.add(inboundKey);
        const other = byInbound.get(inboundKey);
        if (other && other.sipTrunkId !== t.sipTrunkId)
          return `Conflicting inbound SIP Trunks: ${printID(t.sipTrunkId)} and ${printID(other.sipTrunkId)}, using the same number(s) ${printNumbers(t.numbers)} ${
            num ? `and AllowedNumber ${JSON.stringify(num)}` : 'without AllowedNumbers set'
          }`;
        byInbound.set(inboundKey, t);
      }
    }
  }
  return undefined;
}

/** LiveKit's DispatchRuleValidator: two rules with the same PIN, trunk, calling and called number (normalised) conflict. */
function ruleConflict(list: SIPDispatchRuleInfo[]): string | undefined {
  const seen = new Map<string, SIPDispatchRuleInfo>();
  for (const r of list) {
    const v = r.rule?.rule.value;
    const pin = v?.pin ?? '';
    for (const trunk of r.trunkIds.length ? r.trunkIds : ['']) {
      for (const inbound of r.inboundNumbers.length ? r.inboundNumbers : ['']) {
        for (const num of r.numbers.length ? r.numbers : ['']) {
          const key = JSON.stringify([pin, trunk, normalizeNumber(inbound), normalizeNumber(num)]);
          const other = seen.get(key);
          if (other)
            return `Dispatch rule for the same trunk, inbound number, number, and PIN combination already exists in dispatch rule ${printID(other.sipDispatchRuleId)} ${printName(other.name)}`;
          seen.set(key, r);
        }
      }
    }
  }
  return undefined;
}

/** LiveKit's DispatchRulePriority (lower wins): PIN rules first, then direct, individual, callee; +1000 per filter left empty. */
function rulePriority(r: SIPDispatchRuleInfo): number {
  const rule = r.rule?.rule;
  if (!rule?.case) return Number.MAX_SAFE_INTEGER;
  const kind = rule.case === 'dispatchRuleDirect' ? 0 : rule.case === 'dispatchRuleIndividual' ? 1 : 2;
  return (rule.value.pin ? 0 : 100) + kind + (r.inboundNumbers.length ? 0 : 1000) + (r.numbers.length ? 0 : 1000);
}

/** An IPv4 address inside a CIDR block (a bare address is a /32). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits = '32'] = cidr.split('/');
  const n = (a: string) => a.split('.').reduce((v, o) => (v << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (n(ip) & mask) === (n(base!) & mask);
}
