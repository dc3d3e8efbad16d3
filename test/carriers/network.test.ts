// A carrier out of reach, or one that never answers: one line that names the host and the setting pointing there
// (or the time waited), never the credentials, for every carrier on the shared request (carriers/http-json.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { carrierNamed } from '../../src/carriers/index.ts';
import { ServiceError } from '../../src/errors.ts';

const CARRIERS = [
  { id: 'twilio', setting: 'TWILIO_API_URL', values: (url: string) => ({ TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32), TWILIO_AUTH_TOKEN: 'twilio-token-not-real', TWILIO_API_URL: url, TWILIO_TRUNKING_URL: url, TWILIO_INSIGHTS_URL: url }), secret: 'twilio-token-not-real', label: 'Twilio' },
  { id: 'telnyx', setting: 'TELNYX_API_URL', values: (url: string) => ({ TELNYX_API_KEY: 'KEYtelnyx-key-not-real', TELNYX_API_URL: url }), secret: 'KEYtelnyx-key-not-real', label: 'Telnyx' },
];

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

for (const c of CARRIERS) {
  test(`${c.label} out of reach: one line naming the host and ${c.setting}`, async () => {
    const s = createServer();
    const port = await listen(s);
    await new Promise((r) => s.close(r)); // nothing listens there any more
    const carrier = carrierNamed(c.id);
    const err = await carrier.listNumbers(carrier.conn(c.values(`http://127.0.0.1:${port}`))!).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ServiceError, String(err));
    assert.equal(err.message, `Cannot reach ${c.label} at 127.0.0.1:${port} (ECONNREFUSED): check the network or ${c.setting}`);
    assert.deepEqual(err.settings, [c.setting]);
  });

  test(`${c.label} that never answers: the time waited, and no credential in the line`, async (t) => {
    const s = createServer(() => {}); // takes the request, never answers
    const port = await listen(s);
    t.after(() => new Promise((r) => (s.closeAllConnections(), s.close(r))));
    const carrier = carrierNamed(c.id);
    const err = await carrier.listNumbers(carrier.conn(c.values(`http://127.0.0.1:${port}`), 300)!).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ServiceError, String(err));
    assert.match(err.message, new RegExp(`^127\\.0\\.0\\.1:${port} did not answer "[^"]+" within 0\\.3 s: check the network and rerun$`));
    assert.ok(!err.message.includes(c.secret));
  });
}
