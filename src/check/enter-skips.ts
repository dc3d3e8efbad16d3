// At a keyboard, Enter skips a wait (the agent probe): raw mode while waiting, restored however it ends.
export function enterSkips(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stdin = process.stdin;
  if (!stdin.isTTY) return { signal: controller.signal, dispose: () => {} };
  const wasRaw = stdin.isRaw;
  const onData = (b: Buffer) => {
    // Ctrl-C in raw mode arrives as a byte, not a signal: hand it on as the signal it would have been.
    if (b.includes(3)) process.kill(process.pid, 'SIGINT');
    else if (b.includes(13) || b.includes(10)) controller.abort();
  };
  stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.resume();
  return {
    signal: controller.signal,
    dispose: () => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
    },
  };
}
