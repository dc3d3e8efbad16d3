// The hops that read other services: the database row (supabase-js → PostgREST stand-in → real Postgres),
// the SignalWire number (SignalWire stand-in) and the SWML endpoint (the real `serve` server).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { databaseHop } from '../../src/check/database-hop.ts';
import { signalWireHop, swmlUrlHop } from '../../src/carriers/signalwire/hops.ts';
import { renderSchema } from '../../src/render/sql.ts';
import { renderSwml } from '../../src/render/swml.ts';
import { closeGracefully, createSwmlServer } from '../../src/server/swml-server.ts';
import { swmlTargetFor } from '../../src/carriers/signalwire/index.ts';
import type { Values } from '../../src/settings.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startPostgrest } from '../stand-ins/postgrest.ts';
import { startSignalWire } from '../stand-ins/signalwire.ts';
import { NUMBER } from '../fixtures.ts';

const DOMAIN = 'abc123xyz.sip.livekit.cloud';
const SIP = { LIVEKIT_SIP_USERNAME: 'csi-user-fake', LIVEKIT_SIP_PASSWORD: 'digest-pass-fake-123' };

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

async function database(t: TestContext, rowSql: string): Promise<Values> {
  const db = await pg.createDatabase();
  await pg.psql(renderSchema() + rowSql, db);
  const rest = await startPostgrest({ pg, db });
  t.after(() => rest.stop());
  return { PHONE_NUMBER: NUMBER, SUPABASE_URL: rest.url, SUPABASE_SERVICE_ROLE_KEY: rest.serviceKey };
}

const insert = (number: string, voice = 'Rachel', status = 'active') =>
  `INSERT INTO signalwire_phone_numbers (number, status, tts_provider, tts_voice) VALUES ('${number}', '${status}', 'elevenlabs', '${voice}');`;

test('database hop: the row passes; no row, a differing value, a national-format number or an inactive row fail', async (t) => {
  const good = await database(t, insert(NUMBER));
  const ok = await databaseHop({ ...good, TTS_VOICE: 'Rachel' });
  assert.equal(ok.ok, true, ok.detail);

  const differs = await databaseHop({ ...good, TTS_VOICE: 'Adam' });
  assert.equal(differs.ok, false);
  assert.match(differs.detail!, /tts_voice is "Rachel", settings say "Adam"/);

  const none = await databaseHop(await database(t, ''));
  assert.equal(none.ok, false);
  assert.match(none.detail!, /no row for \+14244851544/);
  assert.match(none.fix!, /sql --number \+14244851544/);

  const national = await databaseHop(await database(t, insert('4244851544')));
  assert.equal(national.ok, false);
  assert.match(national.detail!, /as "4244851544"/);

  const inactive = await databaseHop(await database(t, insert(NUMBER, 'Rachel', 'inactive')));
  assert.equal(inactive.ok, false);
  assert.match(inactive.fix!, /--status active/);
});

test('database hop: a wrong key is one line, without the key', async (t) => {
  const good = await database(t, insert(NUMBER));
  const h = await databaseHop({ ...good, SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_wrong_fake_key' });
  assert.equal(h.ok, false);
  assert.doesNotMatch(h.detail!, /[\r\n]/);
  assert.ok(!JSON.stringify(h).includes('sb_secret_wrong_fake_key'));
});

test('SignalWire hop: skipped without credentials; passes when the number runs our SWML URL, fails when it runs another', async (t) => {
  const skipped = await signalWireHop({ PHONE_NUMBER: NUMBER, LIVEKIT_SIP_DOMAIN: DOMAIN });
  assert.equal(skipped.skipped, true);

  const sw = await startSignalWire();
  t.after(() => sw.stop());
  const values: Values = {
    PHONE_NUMBER: NUMBER,
    LIVEKIT_SIP_DOMAIN: DOMAIN,
    API_BASE_URL: 'https://api.example.test',
    SIGNALWIRE_SPACE_URL: sw.url,
    SIGNALWIRE_PROJECT_ID: sw.projectId,
    SIGNALWIRE_API_TOKEN: sw.apiToken,
  };
  const target = swmlTargetFor(values);
  assert.equal(target.kind, 'url');
  sw.addNumber(NUMBER, { call_handler: 'relay_script', call_relay_script_url: target.kind === 'url' ? target.url : '' });
  const ok = await signalWireHop(values);
  assert.equal(ok.ok, true, ok.detail);

  sw.numbers.get([...sw.numbers.keys()][0]!)!.call_relay_script_url = 'https://elsewhere.example.test/swml';
  const bad = await signalWireHop(values);
  assert.equal(bad.ok, false);
  assert.match(bad.detail!, /not the SWML URL/);
  assert.ok(!JSON.stringify(bad).includes(sw.apiToken));
});

async function serve(t: TestContext, sipDomain: string, signingKey?: string): Promise<string> {
  // Without a public base URL the server checks signatures against the URL rebuilt from the Host header.
  const swml = renderSwml({ sipDomain, username: SIP.LIVEKIT_SIP_USERNAME, password: SIP.LIVEKIT_SIP_PASSWORD });
  const server = createSwmlServer({ swml, signingKey });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => closeGracefully(server, 100));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('SWML endpoint hop: our domain passes; another domain, or nothing listening, fails; the password never shows', async (t) => {
  const values = (base: string): Values => ({ PHONE_NUMBER: NUMBER, LIVEKIT_SIP_DOMAIN: DOMAIN, API_BASE_URL: base, ...SIP });
  assert.equal((await swmlUrlHop({ PHONE_NUMBER: NUMBER, LIVEKIT_SIP_DOMAIN: DOMAIN })).skipped, true);

  const ok = await swmlUrlHop(values(await serve(t, DOMAIN)));
  assert.equal(ok.ok, true, ok.detail);

  const other = await swmlUrlHop(values(await serve(t, 'other.sip.livekit.cloud')));
  assert.equal(other.ok, false);
  assert.match(other.detail!, /dials other\.sip\.livekit\.cloud, not LIVEKIT_SIP_DOMAIN/);
  assert.ok(!JSON.stringify(other).includes(SIP.LIVEKIT_SIP_PASSWORD));

  const down = await swmlUrlHop(values('http://127.0.0.1:9'));
  assert.equal(down.ok, false);
  assert.match(down.detail!, /cannot reach/);
});

test('SWML endpoint hop: with a signing key the check signs its request as SignalWire would', async (t) => {
  const key = 'PSK_fake_signing_key_for_tests';
  const base = await serve(t, DOMAIN, key);
  const values: Values = { PHONE_NUMBER: NUMBER, LIVEKIT_SIP_DOMAIN: DOMAIN, API_BASE_URL: base, ...SIP };
  const signed = await swmlUrlHop({ ...values, SIGNALWIRE_SIGNING_KEY: key });
  assert.equal(signed.ok, true, signed.detail);
  const wrongKey = await swmlUrlHop({ ...values, SIGNALWIRE_SIGNING_KEY: 'PSK_other_fake_key' });
  assert.equal(wrongKey.ok, false);
  assert.match(wrongKey.detail!, /403/);
  assert.match(wrongKey.fix!, /SIGNALWIRE_SIGNING_KEY/);
});

test('SWML endpoint hop: an API_BASE_URL with user:pass@ is signed without them and sends the login as Basic auth', async (t) => {
  const key = 'PSK_fake_signing_key_for_tests';
  const swml = renderSwml({ sipDomain: DOMAIN, username: SIP.LIVEKIT_SIP_USERNAME, password: SIP.LIVEKIT_SIP_PASSWORD });
  // serve checks the signature over the configured URL without its credentials; the port is known after listen.
  const opts = { swml, signingKey: key, publicBaseUrl: 'http://placeholder' };
  const server = createSwmlServer(opts);
  const seen: Array<string | undefined> = [];
  server.prependListener('request', (req) => seen.push(req.headers.authorization));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => closeGracefully(server, 100));
  const port = (server.address() as AddressInfo).port;
  const password = 'p@ss:w/rd-fake-9';
  opts.publicBaseUrl = `http://swml-user:${encodeURIComponent(password)}@127.0.0.1:${port}`;

  const values: Values = { PHONE_NUMBER: NUMBER, LIVEKIT_SIP_DOMAIN: DOMAIN, API_BASE_URL: opts.publicBaseUrl, SIGNALWIRE_SIGNING_KEY: key, ...SIP };
  const hop = await swmlUrlHop(values);
  assert.equal(hop.ok, true, hop.detail);
  assert.deepEqual(seen, [`Basic ${Buffer.from(`swml-user:${password}`).toString('base64')}`]);
  const shown = JSON.stringify(hop);
  assert.ok(!shown.includes(password) && !shown.includes(encodeURIComponent(password)), shown);

  // Without credentials in the URL no Authorization header goes out.
  opts.publicBaseUrl = `http://127.0.0.1:${port}`;
  assert.equal((await swmlUrlHop({ ...values, API_BASE_URL: opts.publicBaseUrl })).ok, true);
  assert.equal(seen[1], undefined);
});
