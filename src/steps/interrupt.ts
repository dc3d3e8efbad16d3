// Ctrl-C outside a prompt (prompts turn it into CancelledError themselves): restore the terminal and
// say what state things are in.
export function onInterrupt() {
  const state = {
    applying: false,
    dispose: () => process.removeListener('SIGINT', handler),
  };
  const handler = () => {
    process.stderr.write('\x1b[?25h\n'); // show the cursor again
    process.stderr.write(
      state.applying
        ? '✖ Stopped while applying the plan: run it again to finish (it only does what is still missing).\n'
        : '✖ Cancelled: nothing was changed.\n',
    );
    process.exit(130);
  };
  process.on('SIGINT', handler);
  return state;
}
