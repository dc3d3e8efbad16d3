// What the caller hears: a UDP socket on loopback that stands for the phone's RTP port. SIPp's SDP offers it
// instead of SIPp's own media port, so LiveKit SIP sends the call's audio here. Each RTP packet's G.711 payload
// (PCMU or PCMA) is decoded and checked for sound; the first packet with sound is timestamped. Like a phone
// behind NAT, it answers from the same port with a tone once LiveKit's audio arrives (LiveKit SIP latches onto
// the address it hears from), so the call carries audio both ways.
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { SipDial } from '../stand-ins/sip-dialer.ts';
import { dial, muLaw, RING_MS, type TimedAnswer } from './sip-dialer.ts';

/** A sample louder than this (of 32767) is sound: G.711 silence and comfort noise stay far below. */
export const SOUND_LEVEL = 1000;

export interface CallAudio {
  port: number;
  /** RTP packets received, and how many carried sound. */
  packets: number;
  soundPackets: number;
  /** The loudest sample heard (linear, 0..32767). */
  peak: number;
  /** Date.now() when the first packet arrived (silence or not), and the first with sound, if any did. */
  firstPacketAt?: number;
  firstSoundAt?: number;
  close(): Promise<void>;
}

/** G.711 µ-law byte → linear sample (ITU-T G.711). */
export function fromMuLaw(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** G.711 A-law byte → linear sample (ITU-T G.711). */
export function fromALaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude = exponent === 0 ? magnitude + 8 : (magnitude + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

/** The loudest sample of an RTP packet's G.711 payload; undefined for another payload type (e.g. DTMF). */
export function rtpPeak(packet: Buffer): number | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const pt = packet[1]! & 0x7f;
  const decode = pt === 0 ? fromMuLaw : pt === 8 ? fromALaw : undefined;
  if (!decode) return undefined;
  const csrc = (packet[0]! & 0x0f) * 4;
  let start = 12 + csrc;
  if (packet[0]! & 0x10) start += 4 + packet.readUInt16BE(start + 2) * 4; // header extension
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[end - 1]!; // padding
  let peak = 0;
  for (let i = start; i < end; i++) peak = Math.max(peak, Math.abs(decode(packet[i]!)));
  return peak;
}

/** Listens on a free loopback UDP port until close(). */
export async function listenToCall(): Promise<CallAudio> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => resolve());
  });
  const audio: CallAudio = {
    port: sock.address().port,
    packets: 0,
    soundPackets: 0,
    peak: 0,
    close: () => (closed ??= new Promise<void>((resolve) => {
      clearInterval(sending);
      sock.close(() => resolve());
    })),
  };
  const tone = toneStream();
  let closed: Promise<void> | undefined;
  let remote: RemoteInfo | undefined;
  let sending: NodeJS.Timeout | undefined;
  sock.on('message', (packet, from) => {
    const peak = rtpPeak(packet);
    if (peak === undefined) return;
    audio.packets++;
    audio.firstPacketAt ??= Date.now();
    audio.peak = Math.max(audio.peak, peak);
    if (peak > SOUND_LEVEL) {
      audio.soundPackets++;
      audio.firstSoundAt ??= Date.now();
    }
    remote = from;
    sending ??= setInterval(() => remote && sock.send(tone.next(), remote.port, remote.address), 20);
  });
  return audio;
}

// 20 ms of a 440 Hz tone per packet, PCMU, as SIPp's own stream sends.
function toneStream(): { next(): Buffer } {
  let seq = 0;
  let at = 0;
  return {
    next() {
      const p = Buffer.alloc(12 + 160);
      p[0] = 0x80; // RTP version 2
      p[1] = 0; // PCMU
      p.writeUInt16BE(seq++ & 0xffff, 2);
      p.writeUInt32BE(at >>> 0, 4);
      p.writeUInt32BE(0x43534931, 8);
      for (let i = 0; i < 160; i++, at++) p[12 + i] = muLaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * at) / 8000)));
      return p;
    },
  };
}

/** A real SIP call (sip-dialer.ts) whose audio this side hears; listening stops when the call ends. */
export async function dialAndListen(d: SipDial, ringMs = RING_MS): Promise<TimedAnswer & { audio: CallAudio }> {
  const audio = await listenToCall();
  try {
    const answer = await dial(d, { ringMs, rtpPort: audio.port });
    return { ...answer, audio, ended: answer.ended.finally(() => audio.close()) };
  } catch (err) {
    await audio.close();
    throw err;
  }
}
