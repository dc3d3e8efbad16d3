// The test agent worker: registers with LIVEKIT_AGENT_NAME (empty: automatic dispatch), and when dispatched
// joins the room, publishes an audio track and stays until the caller leaves, then (given SUPABASE_URL and
// SUPABASE_SERVICE_ROLE_KEY) writes the call's `interactions` row. No STT, TTS or LLM: it proves dispatch and join. The track matters: LiveKit SIP keeps an inbound call ringing (no 200 OK) until it can
// subscribe to an audio track of another participant, so an agent that publishes nothing is never answered.
// Run: LIVEKIT_URL=… LIVEKIT_API_KEY=… LIVEKIT_API_SECRET=… [LIVEKIT_AGENT_NAME=…] node worker.mjs start
import { fileURLToPath } from 'node:url';
import { cli, defineAgent, ServerOptions } from '@livekit/agents';
import { AudioFrame, AudioSource, LocalAudioTrack, ParticipantKind, RoomEvent, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';

export default defineAgent({
  entry: async (ctx) => {
    await ctx.connect();
    const room = ctx.room;
    // One line per event on stdout, for whoever runs the worker (the tests read these).
    const say = (event, extra = {}) => console.log(`test-agent ${JSON.stringify({ event, room: room.name, ...extra })}`);
    say('joined');
    // Watched from the moment of joining: a caller who arrives while the track is being published must count,
    // or the agent would stay after the call until LiveKit closes the room.
    const callers = () => [...room.remoteParticipants.values()].filter((p) => p.kind !== ParticipantKind.AGENT);
    let seenCaller = callers().length > 0;
    // The SIP caller's attributes, kept for the interaction row written once the call is over.
    let sipAttributes = callers().find((p) => p.kind === ParticipantKind.SIP)?.attributes;
    const over = new Promise((resolve) => {
      room.on(RoomEvent.ParticipantConnected, (p) => {
        if (p.kind !== ParticipantKind.AGENT) seenCaller = true;
        if (p.kind === ParticipantKind.SIP) sipAttributes = p.attributes;
      });
      room.on(RoomEvent.ParticipantDisconnected, () => {
        if (seenCaller && callers().length === 0) resolve();
      });
      // A probe room is deleted with the agent still in it.
      room.on(RoomEvent.Disconnected, () => resolve());
    });
    // TEST_AGENT_SILENT=1: an agent that joins and publishes nothing, which LiveKit SIP never answers.
    if (process.env.TEST_AGENT_SILENT !== '1') {
      const source = new AudioSource(16000, 1);
      const track = LocalAudioTrack.createAudioTrack('agent-voice', source);
      await room.localParticipant.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
      // A tenth of a second of silence: enough for a real track, without spending CPU on a steady stream.
      await source.captureFrame(new AudioFrame(new Int16Array(1600), 16000, 1, 1600));
      say('published');
    }
    seenCaller ||= callers().length > 0;
    sipAttributes ??= callers().find((p) => p.kind === ParticipantKind.SIP)?.attributes;
    await over;
    say('left');
    await logInteraction(room.name, sipAttributes).catch((err) => say('interaction-failed', { why: String(err) }));
    ctx.shutdown('the caller left');
  },
});

/** As the guide's agent does: one `interactions` row per call, when SUPABASE_URL and the service key are given. */
async function logInteraction(roomName, attrs) {
  const url = process.env.SUPABASE_URL;
  const key = process.env.SUPABASE_SERVICE_ROLE_KEY;
  if (!url || !key || !attrs) return;
  const res = await fetch(`${url}/rest/v1/interactions`, {
    method: 'POST',
    headers: { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: 'return=minimal' },
    body: JSON.stringify({
      phone_number: attrs['sip.trunkPhoneNumber'] ?? null,
      caller_number: attrs['sip.phoneNumber'] ?? null,
      room_name: roomName,
      call_id: attrs['sip.callID'] ?? null,
      status: 'completed',
    }),
  });
  if (!res.ok) throw new Error(`interactions insert answered ${res.status}`);
  console.log(`test-agent ${JSON.stringify({ event: 'interaction', room: roomName })}`);
}

cli.runApp(
  new ServerOptions({
    agent: fileURLToPath(import.meta.url),
    agentName: process.env.LIVEKIT_AGENT_NAME ?? '',
    // Loopback, on a port the kernel picks: two workers can share a machine.
    host: '127.0.0.1',
    port: Number(process.env.AGENT_HTTP_PORT || 0) || undefined,
    numIdleProcesses: 1,
    // The worker reports the machine's CPU load, and LiveKit stops dispatching to a worker above its threshold:
    // on a busy test machine that silently starves every call. This worker's load is not what is tested.
    loadFunc: async () => 0,
    // A busy machine starts a job process slowly; the default (10 s) gives up too early there.
    initializeProcessTimeout: 60_000,
  }),
);
