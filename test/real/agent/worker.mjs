// The test agent worker: registers with LIVEKIT_AGENT_NAME (empty: automatic dispatch), and when dispatched
// joins the room and stays until the caller leaves. No STT, TTS or LLM: it proves dispatch and join only.
// Run: LIVEKIT_URL=… LIVEKIT_API_KEY=… LIVEKIT_API_SECRET=… [LIVEKIT_AGENT_NAME=…] node worker.mjs start
import { fileURLToPath } from 'node:url';
import { cli, defineAgent, ServerOptions } from '@livekit/agents';
import { ParticipantKind, RoomEvent } from '@livekit/rtc-node';

export default defineAgent({
  entry: async (ctx) => {
    await ctx.connect();
    const room = ctx.room;
    // One line per event on stdout, for whoever runs the worker (the tests read these).
    const say = (event, extra = {}) => console.log(`test-agent ${JSON.stringify({ event, room: room.name, ...extra })}`);
    say('joined');
    const callers = () => [...room.remoteParticipants.values()].filter((p) => p.kind !== ParticipantKind.AGENT);
    let seenCaller = callers().length > 0;
    await new Promise((resolve) => {
      room.on(RoomEvent.ParticipantConnected, (p) => {
        if (p.kind !== ParticipantKind.AGENT) seenCaller = true;
      });
      room.on(RoomEvent.ParticipantDisconnected, () => {
        if (seenCaller && callers().length === 0) resolve();
      });
      // A probe room is deleted with the agent still in it.
      room.on(RoomEvent.Disconnected, () => resolve());
    });
    say('left');
    ctx.shutdown('the caller left');
  },
});

cli.runApp(
  new ServerOptions({
    agent: fileURLToPath(import.meta.url),
    agentName: process.env.LIVEKIT_AGENT_NAME ?? '',
    // Loopback, on a port the kernel picks: two workers can share a machine.
    host: '127.0.0.1',
    port: 0,
    numIdleProcesses: 1,
  }),
);
