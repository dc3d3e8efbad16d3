// The SIPp scenario of one test call, as a real caller behaves: INVITE with a PCMU offer; a 407 challenge
// answered with the digest of the given login (same Call-ID, as LiveKit requires); on 200 OK an ACK and a
// tone streamed over RTP (unless another socket takes the call's audio); then wait for the callee's BYE, or
// hang up with our own BYE after the hold time or when an INFO arrives on SIPp's own port (how hangup()
// reaches a running SIPp).
export interface ScenarioInput {
  /** The user part of the Request-URI, e.g. +14244851544. */
  user: string;
  host: string;
  port: number;
  transport: 'tcp' | 'udp';
  /** The caller's number (the From user). */
  from: string;
  login?: { username: string; password: string };
  holdMs: number;
  /** Raw 8 kHz mu-law audio for rtp_stream. */
  audioFile: string;
  /** Created (empty) the moment the call is answered: SIPp's message trace is buffered, this is not. */
  answeredFlag: string;
  /** Offer this loopback port for the call's audio (someone else's socket) instead of SIPp's, which then plays
   * nothing: what LiveKit sends the caller can be heard there. */
  rtpPort?: number;
}

// SIPp reads [ ] as its keywords and the text sits in CDATA: only plain characters go in.
const SAFE = /^[A-Za-z0-9+._~!$&'()*,;=%-]+$/;

export function assertSafe(what: string, value: string): void {
  if (!SAFE.test(value)) throw new Error(`${what} holds characters the SIP test client cannot send: use letters, digits and +._~-`);
}

export function scenario(s: ScenarioInput): string {
  assertSafe('the dialled user', s.user);
  assertSafe('the caller', s.from);
  assertSafe('the scenario directory', s.answeredFlag.replace(/\//g, ''));
  if (s.login) {
    assertSafe('the SIP username', s.login.username);
    assertSafe('the SIP password', s.login.password);
  }
  const ruri = `sip:${s.user}@${s.host}:${s.port};transport=${s.transport}`;
  const fromHdr = `From: <sip:${s.from}@[local_ip]>;tag=csi[pid]-[call_number]`;
  const toHdr = `To: <sip:${s.user}@${s.host}:${s.port}>`;
  const invite = (cseq: number, auth: string) => `
    <send>
      <![CDATA[
        INVITE ${ruri} SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        ${fromHdr}
        ${toHdr}
        Call-ID: [call_id]
        CSeq: ${cseq} INVITE
        Contact: <sip:${s.from}@[local_ip]:[local_port];transport=${s.transport}>
        Max-Forwards: 70
        User-Agent: create-sip-inbound test caller (SIPp)${auth ? `\n        ${auth}` : ''}
        Content-Type: application/sdp
        Content-Length: [len]

        v=0
        o=- 53655765 2353687637 IN IP[local_ip_type] [local_ip]
        s=-
        c=IN IP[media_ip_type] [media_ip]
        t=0 0
        m=audio ${s.rtpPort ?? '[rtpstream_audio_port]'} RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=sendrecv
      ]]>
    </send>`;
  const progress = `
    <recv response="100" optional="true"/>
    <recv response="180" optional="true"/>
    <recv response="183" optional="true"/>`;
  const answered = `
    <recv response="200" rrs="true" next="answered">
      <action>
        <ereg regexp="tag=[^;> ]+" search_in="hdr" header="To:" assign_to="totag"/>
        <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" assign_to="cseq"/>
        <exec command="touch ${s.answeredFlag}"/>
      </action>
    </recv>`;
  const login = s.login;
  // With a login: a 407 is answered once with the digest (a second INVITE); without, a 407 ends the call.
  const challenged = login
    ? `
  <recv response="407" auth="true" optional="true" next="auth"/>
  ${answered}
  <label id="auth"/>
  <send>
    <![CDATA[
      ACK ${ruri} SIP/2.0
      [last_Via:]
      ${fromHdr}
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  ${invite(2, `[authentication username=${login.username} password=${login.password}]`)}
  ${progress}`
    : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="create-sip-inbound test call">
  ${invite(1, '')}
  ${progress}
  ${challenged}
  ${answered}

  <label id="answered"/>
  <send>
    <![CDATA[
      ACK ${ruri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      ${fromHdr}
      ${toHdr};[$totag]
      Call-ID: [call_id]
      CSeq: [$cseq] ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  ${s.rtpPort ? '' : `<nop><action><exec rtp_stream="${s.audioFile},-1,0"/></action></nop>`}

  <recv request="INFO" optional="true" timeout="${Math.max(1, Math.round(s.holdMs))}" ontimeout="hangup" next="hangup"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <nop next="done"/>

  <label id="hangup"/>
  ${s.rtpPort ? '' : '<nop><action><exec rtp_stream="pause"/></action></nop>'}
  <send>
    <![CDATA[
      BYE ${ruri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      ${fromHdr}
      ${toHdr};[$totag]
      Call-ID: [call_id]
      CSeq: 10 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
  <label id="done"/>
</scenario>
`;
}
