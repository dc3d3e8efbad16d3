// Contract tests: each scenario runs against the LiveKit stand-in (test/stand-ins/livekit.ts) and the real
// livekit-server, and both must show the same outcome: conflicts, number normalisation, list filters, auth
// errors, request decoding. Where they disagree the real server is right and the stand-in follows it. Each
// test first asserts what the real server does, then that the stand-in does the same.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AccessToken, SipClient } from 'livekit-server-sdk';
import { checkLiveKit, liveKitError } from '../../src/services/livekit.ts';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { startLiveKitStack, type LiveKitStack } from './livekit-stack.ts';
import { CALLER, NUMBER, SECOND_NUMBER } from '../fixtures.ts';

interface Target {
  url: string;
  apiKey: string;
  apiSecret: string;
}

let real: LiveKitStack;
let standIn: LiveKitStandIn;
before(async () => {
  [real, standIn] = await Promise.all([startLiveKitStack(), startLiveKit()]);
}, { timeout: 60_000 });
after(async () => {
  await Promise.allSettled([real?.stop(), standIn?.stop()]);
});

const sip = (t: Target) => new SipClient(t.url, t.apiKey, t.apiSecret);

/** A call's outcome with what differs between servers by design (ids, wording around ids) left out. */
type Outcome = { ok: true; value: unknown } | { ok: false; status?: number; code?: string; kind: string };

async function outcome(p: Promise<unknown>, kinds: Record<string, RegExp> = {}): Promise<Outcome> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    const err = e as { status?: number; code?: string; message?: string };
    const kind = Object.entries(kinds).find(([, re]) => re.test(err.message ?? ''))?.[0] ?? `other: ${err.message}`;
    return { ok: false, status: err.status, code: err.code, kind };
  }
}

/** Runs `scenario` on an empty server of each kind and returns both outcomes. */
async function both<T>(scenario: (t: Target) => Promise<T>): Promise<{ standIn: T; real: T }> {
  const clean = async (t: Target) => {
    const c = sip(t);
    for (const r of await c.listSipDispatchRule()) await c.deleteSipDispatchRule(r.sipDispatchRuleId);
    for (const tr of await c.listSipInboundTrunk()) await c.deleteSipTrunk(tr.sipTrunkId);
  };
  await Promise.all([clean(real), clean(standIn)]);
  return { standIn: await scenario(standIn), real: await scenario(real) };
}

/** The stand-in must match the real server. */
function agree(r: { standIn: unknown; real: unknown }): void {
  assert.deepEqual(r.standIn, r.real, 'the stand-in does what the real server does');
}

/** An outcome with the ids and the token that differ between the servers put as <ST>, <SDR> and <token>. */
const generic = (o: Outcome): Outcome =>
  o.ok ? o : { ...o, kind: o.kind.replace(/\b(ST|SDR)_\w+/g, '<$1>').replace(/^(other: invalid token: )\S+(?=, error:)/, '$1<token>') };

const CONFLICT = { conflict: /Conflicting inbound SIP Trunks/ };

describe('conflicts', () => {
  test('the same E.164 number on two inbound trunks is refused', async () => {
    const r = await both(async (t) => {
      await sip(t).createSipInboundTrunk('a', [NUMBER]);
      return outcome(sip(t).createSipInboundTrunk('b', [NUMBER]), CONFLICT);
    });
    assert.deepEqual(r.real, { ok: false, status: 400, code: 'invalid_argument', kind: 'conflict' });
    agree(r);
  });

  for (const variant of ['14244851544', '+1 424 485 1544', '+1-424-485-1544', '+1 (424) 485-1544']) {
    test(`"${variant}" on a second trunk conflicts with +14244851544 (numbers are compared normalised)`, async () => {
      const r = await both(async (t) => {
        await sip(t).createSipInboundTrunk('a', [NUMBER]);
        return outcome(sip(t).createSipInboundTrunk('b', [variant]), CONFLICT);
      });
      assert.deepEqual(r.real, { ok: false, status: 400, code: 'invalid_argument', kind: 'conflict' });
      agree(r);
    });
  }

  test('allowedNumbers tell two trunks with one number apart', async () => {
    const r = await both(async (t) => {
      await sip(t).createSipInboundTrunk('a', [NUMBER]);
      const o = await outcome(sip(t).createSipInboundTrunk('b', [NUMBER], { allowedNumbers: [CALLER] }));
      return o.ok;
    });
    assert.equal(r.real, true);
    agree(r);
  });

  test('a second dispatch rule for the same trunk is refused, in the same words naming the first rule', async () => {
    const r = await both(async (t) => {
      const named = await sip(t).createSipInboundTrunk('a', [NUMBER]);
      await sip(t).createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { trunkIds: [named.sipTrunkId], name: 'first' });
      const unnamed = await sip(t).createSipInboundTrunk('b', [SECOND_NUMBER]);
      await sip(t).createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { trunkIds: [unnamed.sipTrunkId] });
      const again = (id: string) => outcome(sip(t).createSipDispatchRule({ type: 'individual', roomPrefix: 'x-' }, { trunkIds: [id], name: 'second' }));
      return [generic(await again(named.sipTrunkId)), generic(await again(unnamed.sipTrunkId))];
    });
    const text = (name: string) =>
      `other: Dispatch rule for the same trunk, inbound number, number, and PIN combination already exists in dispatch rule "<SDR>" "${name}"`;
    assert.deepEqual(r.real, [
      { ok: false, status: 400, code: 'invalid_argument', kind: text('first') },
      { ok: false, status: 400, code: 'invalid_argument', kind: text('<blank name>') },
    ]);
    agree(r);
  });

  test('a trunk conflict is worded the same: the new trunk as "<new>", the numbers as written', async () => {
    const r = await both(async (t) => {
      await sip(t).createSipInboundTrunk('a', [NUMBER]);
      return generic(await outcome(sip(t).createSipInboundTrunk('b', ['14244851544'])));
    });
    assert.deepEqual(r.real, {
      ok: false, status: 400, code: 'invalid_argument',
      kind: 'other: Conflicting inbound SIP Trunks: "<new>" and "<ST>", using the same number(s) ["14244851544"] without AllowedNumbers set',
    });
    agree(r);
  });
});

describe('number normalisation and list filters', () => {
  test('a trunk keeps its numbers as written', async () => {
    const r = await both(async (t) => (await sip(t).createSipInboundTrunk('a', ['14244851544', '+1 415 555 0123'])).numbers);
    assert.deepEqual(r.real, ['14244851544', '+1 415 555 0123']);
    agree(r);
  });

  test('listing by number and by trunk id returns only the matching trunks; rules filter by trunk id', async () => {
    const r = await both(async (t) => {
      const c = sip(t);
      const a = await c.createSipInboundTrunk('a', [NUMBER]);
      const b = await c.createSipInboundTrunk('b', [SECOND_NUMBER]);
      await c.createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { trunkIds: [a.sipTrunkId], name: 'ra' });
      await c.createSipDispatchRule({ type: 'individual', roomPrefix: 'sip-' }, { trunkIds: [b.sipTrunkId], name: 'rb' });
      const names = (xs: Array<{ name: string }>) => xs.map((x) => x.name).sort();
      return {
        byNumber: names(await c.listSipInboundTrunk({ numbers: [NUMBER] })),
        byOtherNumber: names(await c.listSipInboundTrunk({ numbers: ['+15550000000'] })),
        byId: names(await c.listSipInboundTrunk({ trunkIds: [b.sipTrunkId] })),
        rulesByTrunk: names(await c.listSipDispatchRule({ trunkIds: [a.sipTrunkId] })),
        all: names(await c.listSipInboundTrunk()),
      };
    });
    assert.deepEqual(r.real, { byNumber: ['a'], byOtherNumber: [], byId: ['b'], rulesByTrunk: ['ra'], all: ['a', 'b'] });
    agree(r);
  });

  test('listing by number finds a trunk whose number is written another way', async () => {
    const r = await both(async (t) => {
      await sip(t).createSipInboundTrunk('a', ['14244851544']);
      const by = async (n: string) => (await sip(t).listSipInboundTrunk({ numbers: [n] })).map((x) => x.name);
      return { e164: await by(NUMBER), spaced: await by('+1 424 485 1544') };
    });
    assert.deepEqual(r.real, { e164: ['a'], spaced: ['a'] });
    agree(r);
  });
});

describe('auth errors and request decoding', () => {
  // What the SDK makes of the answer: the status, the Twirp code (none for a text/plain body) and the message.
  const refusal = async (p: Promise<unknown>) => {
    const o = generic(await outcome(p));
    return o.ok ? 'ok' : { status: o.status, code: o.code, message: o.kind };
  };

  test('a wrong secret: 401 text/plain from the auth middleware (no code), the token echoed in the text', async () => {
    const r = await both((t) => refusal(new SipClient(t.url, t.apiKey, 'not-the-secret-0123456789').listSipInboundTrunk()));
    assert.deepEqual(r.real, { status: 401, code: undefined, message: 'other: invalid token: <token>, error: token signature is invalid: signature is invalid' });
    agree(r);
  });

  test('an unknown API key: 401 text/plain naming the key', async () => {
    const r = await both((t) => refusal(new SipClient(t.url, 'APInobody', 'whatever-secret-0123456789').listSipInboundTrunk()));
    assert.deepEqual(r.real, { status: 401, code: undefined, message: 'other: invalid API key: APInobody' });
    agree(r);
  });

  const raw = async (t: Target, body: string, grant?: 'sip' | 'roomList', path = 'SIP/ListSIPInboundTrunk') => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (grant) {
      const at = new AccessToken(t.apiKey, t.apiSecret);
      if (grant === 'sip') at.addSIPGrant({ admin: true });
      else at.addGrant({ roomList: true });
      headers.Authorization = `Bearer ${await at.toJwt()}`;
    }
    const res = await fetch(`${t.url}/twirp/livekit.${path}`, { method: 'POST', headers, body });
    const json = (await res.json()) as { code?: string; msg?: string };
    return { status: res.status, code: json.code, msg: json.msg };
  };
  const DENIED = { status: 401, code: 'unauthenticated', msg: 'permissions denied' };

  test('a token without the SIP admin grant: 401 unauthenticated "permissions denied" (not 403)', async () => {
    const r = await both((t) => raw(t, '{}', 'roomList'));
    assert.deepEqual(r.real, DENIED);
    agree(r);
  });

  test('a token without a room grant: the same 401 "permissions denied"', async () => {
    const r = await both((t) => raw(t, '{}', 'sip', 'RoomService/ListRooms'));
    assert.deepEqual(r.real, DENIED);
    agree(r);
  });

  test('no token at all: the same 401 "permissions denied"', async () => {
    const r = await both((t) => raw(t, '{}'));
    assert.deepEqual(r.real, DENIED);
    agree(r);
  });

  test('a request field the server does not know is ignored, at the top and nested', async () => {
    const r = await both(async (t) => [
      await raw(t, JSON.stringify({ phoneNumbers: [NUMBER] }), 'sip'),
      (await outcome(sip(t).createSipInboundTrunk('a', [NUMBER]))).ok,
      await raw(t, JSON.stringify({ trunk: { name: 'b', numbers: [SECOND_NUMBER], colour: 'red' } }), 'sip', 'SIP/CreateSIPInboundTrunk').then((x) => x.status),
    ]);
    assert.deepEqual(r.real, [{ status: 200, code: undefined, msg: undefined }, true, 200]);
    agree(r);
  });

  test('a known field of the wrong type, or a body that is not JSON, is malformed', async () => {
    const r = await both(async (t) => [await raw(t, JSON.stringify({ numbers: NUMBER }), 'sip'), await raw(t, '{', 'sip')]);
    const malformed = { status: 400, code: 'malformed', msg: 'the json request could not be decoded' };
    assert.deepEqual(r.real, [malformed, malformed]);
    agree(r);
  });
});

describe("the product's one line for the real server's refusals", () => {
  test('a wrong secret and an unknown key: each names the setting the server blames, without the echoed token', async () => {
    const cases: Array<[{ url: string; apiKey: string; apiSecret: string }, RegExp]> = [
      [{ url: real.url, apiKey: real.apiKey, apiSecret: 'not-the-secret-0123456789' }, /rejected the API secret of key API\w+: check LIVEKIT_API_SECRET$/],
      [{ url: real.url, apiKey: 'APInobody', apiSecret: 'whatever-secret-0123456789' }, /does not know the API key APInobody: check LIVEKIT_API_KEY$/],
    ];
    for (const [conn, said] of cases) {
      const err = await checkLiveKit(conn).then(() => assert.fail('expected a refusal'), (e: unknown) => e as Error);
      assert.match(err.message, said);
      assert.ok(err.message.includes(real.url), err.message);
      assert.doesNotMatch(err.message, /eyJ|whatever-secret|not-the-secret/, 'no token or secret echoed');
    }
  });

  test('a token without the SIP grant: "lacks the SIP admin permission", not a wrong key', async () => {
    // The SDK always asks for the grant, so the real answer is fetched by hand and handed over as the SDK shapes it.
    const at = new AccessToken(real.apiKey, real.apiSecret);
    at.addGrant({ roomList: true });
    const res = await fetch(`${real.url}/twirp/livekit.SIP/ListSIPInboundTrunk`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await at.toJwt()}` },
      body: '{}',
    });
    const { code, msg } = (await res.json()) as { code: string; msg: string };
    const err = liveKitError({ status: res.status, code, message: msg }, { url: real.url, apiKey: real.apiKey, apiSecret: real.apiSecret }, 'listing inbound trunks');
    assert.match(err.message, new RegExp(`^LiveKit API key ${real.apiKey} lacks the SIP admin permission \\(401 permissions denied\\) at ${real.url}: give the key admin permissions`));
  });
});
