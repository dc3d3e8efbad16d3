// The stand-in is strict where LiveKit is (else the other tests prove little), and a simulated call to the
// number the wizard set up lands in a "sip-_<caller>_<random>" room with the SIP participant and the agent.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ParticipantInfo_Kind } from '@livekit/protocol';
import { AccessToken, AgentDispatchClient, RoomServiceClient, SipClient } from 'livekit-server-sdk';
import { startLiveKit, TwirpFailure, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { AUTH, connOf, converge, desired, NUMBER } from './helpers.ts';
import { CALLER } from '../fixtures.ts';

let lk: LiveKitStandIn;
before(async () => (lk = await startLiveKit({ keys: [{ apiKey: 'APIroomless', apiSecret: 'roomless-secret-0123456789abcdef', roomAdmin: false }] })));
after(() => lk.stop());
beforeEach(() => {
  lk.trunks.clear();
  lk.rules.clear();
  lk.rooms.clear();
  lk.unregisterWorkers();
  lk.clearFaults();
  lk.requests.length = 0;
});

const waitFor = async (ok: () => boolean, ms = 2000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('timed out waiting');
};

describe('a simulated inbound call', () => {
  test('reaches a sip-_<caller>_<random> room with the SIP participant, its attributes, and the named agent', async () => {
    await converge(connOf(lk), desired());
    lk.registerWorker('inbound-agent', { joinDelayMs: 30 });
    const call = await lk.simulateCall({ to: NUMBER, from: CALLER, auth: AUTH });
    assert.match(call.room, /^sip-_\+16505300051_[A-Za-z0-9]{12}$/);

    const rooms = new RoomServiceClient(lk.url, lk.apiKey, lk.apiSecret);
    assert.deepEqual((await rooms.listRooms()).map((r) => r.name), [call.room]);
    const trunk = [...lk.trunks.values()][0]!;
    const rule = [...lk.rules.values()][0]!;
    const [sip] = await rooms.listParticipants(call.room);
    assert.equal(sip?.kind, ParticipantInfo_Kind.SIP);
    assert.equal(sip?.identity, `sip_${CALLER}`);
    assert.deepEqual(
      { ...sip?.attributes, 'sip.callID': 'x' },
      {
        'sip.callID': 'x',
        'sip.trunkPhoneNumber': NUMBER,
        'sip.phoneNumber': CALLER,
        'sip.trunkID': trunk.sipTrunkId,
        'sip.ruleID': rule.sipDispatchRuleId,
        'sip.callStatus': 'active',
      },
    );
    assert.match(sip?.attributes['sip.callID'] ?? '', /^SCL_/);

    await waitFor(() => (lk.rooms.get(call.room)?.participants.length ?? 0) === 2);
    const kinds = (await rooms.listParticipants(call.room)).map((p) => p.kind);
    assert.deepEqual(kinds, [ParticipantInfo_Kind.SIP, ParticipantInfo_Kind.AGENT]);
  });

  test('a worker under another name never joins; an unnamed worker joins only when the rule names no agent', async () => {
    await converge(connOf(lk), desired());
    lk.registerWorker('other-agent');
    lk.registerWorker();
    const named = await lk.simulateCall({ to: NUMBER, from: CALLER });
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(lk.rooms.get(named.room)?.participants.map((p) => p.kind), [ParticipantInfo_Kind.SIP]);

    await converge(connOf(lk), desired({ agentName: '' }));
    const automatic = await lk.simulateCall({ to: NUMBER, from: CALLER });
    assert.deepEqual(lk.rooms.get(automatic.room)?.participants.map((p) => p.kind), [ParticipantInfo_Kind.SIP, ParticipantInfo_Kind.AGENT]);
  });

  test('a number LiveKit does not normalise to the trunk\'s finds no trunk; wrong digest credentials are refused', async () => {
    await converge(connOf(lk), desired());
    // "(424) 485-1544" normalises to +4244851544: no country code is added.
    await assert.rejects(lk.simulateCall({ to: '(424) 485-1544', from: CALLER }), (e: unknown) => e instanceof TwirpFailure && e.code === 'not_found' && e.message === 'no trunk found');
    await assert.rejects(lk.simulateCall({ to: NUMBER, from: CALLER, auth: { ...AUTH, password: 'nope' } }), (e: unknown) => e instanceof TwirpFailure && e.code === 'unauthenticated');
  });
});

describe('strict where LiveKit is strict', () => {
  const sip = () => new SipClient(lk.url, lk.apiKey, lk.apiSecret);

  test('one number on two inbound trunks is refused, and so is a second rule for one trunk', async () => {
    const t = await sip().createSipInboundTrunk('a', [NUMBER]);
    await assert.rejects(sip().createSipInboundTrunk('b', [NUMBER]), (e: { status?: number; code?: string; message?: string }) =>
      e.status === 400 && e.code === 'invalid_argument' && /Conflicting inbound SIP Trunks/.test(e.message ?? ''));
    await sip().createSipInboundTrunk('c', [NUMBER], { allowedNumbers: [CALLER] }); // told apart by allowedNumbers
    await sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { trunkIds: [t.sipTrunkId] });
    await assert.rejects(sip().createSipDispatchRule({ type: 'individual', roomPrefix: 'x-' }, { trunkIds: [t.sipTrunkId] }), (e: { code?: string; message?: string }) =>
      e.code === 'invalid_argument' && /^Dispatch rule for the same trunk, inbound number, number, and PIN combination already exists in dispatch rule "SDR_\w+" "<blank name>"$/.test(e.message ?? ''));
  });

  test('decoded as livekit-server decodes: an unknown field is ignored, a known field of the wrong type is malformed', async () => {
    const token = await tokenWith({ sip: { admin: true } });
    const list = (body: unknown) =>
      fetch(`${lk.url}/twirp/livekit.SIP/ListSIPInboundTrunk`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const unknown = await list({ phoneNumbers: [NUMBER] });
    assert.equal(unknown.status, 200);
    assert.deepEqual(await unknown.json(), { items: [] });
    const wrong = await list({ numbers: NUMBER });
    assert.equal(wrong.status, 400);
    assert.deepEqual(await wrong.json(), { code: 'malformed', msg: 'the json request could not be decoded' });
    assert.match(lk.requests.at(-1)!.decodeError!, /ListSIPInboundTrunkRequest\.numbers/, 'the cause is in the log');
  });

  test('an unknown method is a Twirp bad_route 404', async () => {
    const res = await fetch(`${lk.url}/twirp/livekit.SIP/MakeCoffee`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'bad_route');
  });

  test('each call needs the grant the SDK sends: the SDK passes, a token without it is refused', async () => {
    const rooms = new RoomServiceClient(lk.url, lk.apiKey, lk.apiSecret);
    const agents = new AgentDispatchClient(lk.url, lk.apiKey, lk.apiSecret);
    await agents.createDispatch('probe-room', 'inbound-agent');
    assert.equal((await agents.listDispatch('probe-room')).length, 1);
    assert.equal((await rooms.listParticipants('probe-room')).length, 0);
    await rooms.deleteRoom('probe-room');
    assert.deepEqual(await rooms.listRooms(), []);

    const call = async (path: string, body: object, grants: object) =>
      (await fetch(`${lk.url}/twirp/livekit.${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await tokenWith(grants)}` },
        body: JSON.stringify(body),
      })).status;
    // livekit-server wraps every missing grant as 401 unauthenticated "permissions denied" (pkg/service/auth.go).
    assert.equal(await call('SIP/ListSIPInboundTrunk', {}, { video: { roomList: true } }), 401);
    assert.equal(await call('RoomService/ListRooms', {}, { sip: { admin: true } }), 401);
    assert.equal(await call('RoomService/ListParticipants', { room: 'a' }, { video: { roomAdmin: true, room: 'b' } }), 401, 'roomAdmin is per room');
    assert.equal(await call('RoomService/DeleteRoom', { room: 'a' }, { video: { roomAdmin: true, room: 'a' } }), 401, 'delete needs roomCreate');

    const denied = (e: { status?: number; code?: string; message?: string }) => e.status === 401 && e.code === 'unauthenticated' && e.message === 'permissions denied';
    const roomless = new RoomServiceClient(lk.url, 'APIroomless', 'roomless-secret-0123456789abcdef');
    await assert.rejects(roomless.listRooms(), denied);
    // A wrong secret fails in the auth middleware: 401 text/plain, so the SDK's error has no code.
    await assert.rejects(new SipClient(lk.url, lk.apiKey, 'not-the-secret').listSipInboundTrunk(), (e: { status?: number; code?: string; message?: string }) =>
      e.status === 401 && e.code === undefined && /^invalid token: .*, error: token signature is invalid/.test(e.message ?? ''));
  });

  test('faults: times 1 applies to one request, then the method answers normally', async () => {
    lk.fault({ match: 'ListSIPInboundTrunk', status: 503, times: 1 });
    await assert.rejects(sip().listSipInboundTrunk(), (e: { status?: number; code?: string }) => e.status === 503 && e.code === 'unavailable');
    assert.deepEqual(await sip().listSipInboundTrunk(), []);
  });
});

async function tokenWith(grants: { video?: object; sip?: object }): Promise<string> {
  const at = new AccessToken(lk.apiKey, lk.apiSecret);
  if (grants.video) at.addGrant(grants.video);
  if (grants.sip) at.addSIPGrant(grants.sip);
  return at.toJwt();
}
