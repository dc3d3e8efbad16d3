// The caller's ear (caller-audio.ts) without LiveKit: G.711 silence is not sound, a tone is, other payloads are
// not audio; and the listener, once it hears RTP, answers from its own port with a tone.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { fromALaw, fromMuLaw, listenToCall, rtpPeak, SOUND_LEVEL } from './caller-audio.ts';
import { muLaw } from './sip-dialer.ts';

const rtp = (pt: number, payload: number[]) => Buffer.concat([Buffer.from([0x80, pt, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4]), Buffer.from(payload)]);
const tone = Array.from({ length: 160 }, (_, i) => muLaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));

test('G.711 decodes as the standard says, and silence is not sound', () => {
  assert.equal(fromMuLaw(0xff), 0);
  assert.equal(fromMuLaw(0x80), 32124);
  assert.equal(fromMuLaw(0x00), -32124);
  assert.equal(fromALaw(0xd5), 8);
  assert.equal(fromALaw(0x2a), -32256);
  assert.equal(rtpPeak(rtp(0, new Array(160).fill(0xff))), 0);
  assert.ok(rtpPeak(rtp(8, new Array(160).fill(0xd5)))! < SOUND_LEVEL);
  assert.ok(rtpPeak(rtp(0, tone))! > SOUND_LEVEL);
  assert.equal(rtpPeak(rtp(101, [1, 0, 0, 160])), undefined); // a DTMF event is no audio
  assert.equal(rtpPeak(Buffer.from('not rtp')), undefined);
});

test('the listener counts what it hears and answers with a tone from its own port', async () => {
  const audio = await listenToCall();
  const peer = createSocket('udp4');
  try {
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    const reply = once(peer, 'message');
    for (const payload of [new Array(160).fill(0xff), tone]) peer.send(rtp(0, payload), audio.port, '127.0.0.1');
    const [packet] = (await reply) as [Buffer];
    assert.ok(rtpPeak(packet)! > SOUND_LEVEL);
    assert.equal(audio.packets, 2);
    assert.equal(audio.soundPackets, 1);
    assert.ok(audio.firstSoundAt! <= Date.now());
  } finally {
    peer.close();
    await audio.close();
  }
});
