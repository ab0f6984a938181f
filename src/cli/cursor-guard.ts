// The progress bar hides the terminal's cursor while it runs. An import stopped by Ctrl-C, a kill
// (SIGTERM) or a closed terminal must give it back: a shell left without a cursor is broken for the
// user. (SIGKILL cannot be caught; `reset` or `tput cnorm` repairs a terminal after one.)

const SHOW_CURSOR = '\x1b[?25h';
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * Shows the cursor again on every way out while the bar runs: a signal (then exits with 128 + its
 * number, as a shell expects) or any exit. Returns the function that removes the guard.
 */
export function guardCursor(
  stream: { write(s: string): unknown },
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const show = () => {
    stream.write(SHOW_CURSOR);
  };
  const handlers = Object.entries(SIGNALS).map(([signal, n]) => {
    const handler = () => {
      show();
      exit(128 + n);
    };
    process.once(signal as NodeJS.Signals, handler);
    return [signal, handler] as const;
  });
  process.once('exit', show);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off('exit', show);
  };
}
