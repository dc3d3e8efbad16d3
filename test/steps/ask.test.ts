// The prompt's own validation sees the other settings: the SIP domain prompt refuses the LIVEKIT_URL host
// saying that it is the LIVEKIT_URL host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askText } from '../../src/steps/ask.ts';
import { script, session } from './helpers.ts';

test('the SIP domain prompt refuses the LIVEKIT_URL host, naming it as that host, then takes the SIP URI host', async () => {
  const s = session({ LIVEKIT_URL: 'wss://my-app-abc123.livekit.cloud', LIVEKIT_API_KEY: 'APIfake', LIVEKIT_API_SECRET: 'fake-secret' });
  const said: Array<string | undefined> = [];
  const run = script([
    [
      'LiveKit SIP domain',
      (p) => {
        said.push(p.validate?.('my-app-abc123.livekit.cloud'), p.validate?.('MY-APP-ABC123.livekit.cloud:5060'), p.validate?.('sip-abc123.livekit.cloud'));
        return 'abc123.sip.livekit.cloud';
      },
    ],
  ]);
  await askText(s, 'LIVEKIT_SIP_DOMAIN', { required: true });
  run.done();
  assert.match(said[0] ?? '', /"my-app-abc123\.livekit\.cloud" is the host of LIVEKIT_URL, not the SIP URI host/);
  assert.match(said[1] ?? '', /is the host of LIVEKIT_URL/);
  assert.match(said[2] ?? '', /not a LiveKit Cloud SIP host \(the setup guide's form is out of date\)/);
  assert.equal(s.values.LIVEKIT_SIP_DOMAIN, 'abc123.sip.livekit.cloud');
});

test('without LIVEKIT_URL known the same host is still refused, as a project URL host', async () => {
  const s = session();
  let problem: string | undefined;
  const run = script([['LiveKit SIP domain', (p) => ((problem = p.validate?.('my-app-abc123.livekit.cloud')), 'abc123.sip.livekit.cloud')]]);
  await askText(s, 'LIVEKIT_SIP_DOMAIN', { required: true });
  run.done();
  assert.match(problem ?? '', /looks like a LiveKit project URL's host/);
});
