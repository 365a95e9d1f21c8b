// Process-level signal and error handling, installed once. As PID 1 in a container the kernel gives the
// supervisor no default signal behaviour, so every signal it cares about has an explicit handler here.

export interface SignalHandlers {
  /** First SIGTERM, SIGINT (or SIGPWR, a container's halt signal): orderly stop. */
  stop(signal: NodeJS.Signals): void;
  /** A second SIGTERM or SIGINT during the stop: hurry up. */
  force(signal: NodeJS.Signals): void;
  /** SIGHUP. */
  hangup(): void;
  /** An uncaught exception or unhandled rejection: children must not outlive us. */
  crash(err: unknown): void;
}

let installed = false;

/** Installs the handlers; a second call is refused, so no signal is ever handled twice. */
export function installSignalHandlers(handlers: SignalHandlers): void {
  if (installed) throw new Error('signal handlers are already installed');
  installed = true;
  let stopping = false;
  const onStop = (signal: NodeJS.Signals) => {
    if (stopping) handlers.force(signal);
    else {
      stopping = true;
      handlers.stop(signal);
    }
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  // SIGPWR is what `incus stop` / `incus restart` send to a container's init: as PID 1, stop in order too.
  if (process.platform === 'linux') process.on('SIGPWR', onStop);
  process.on('SIGHUP', () => handlers.hangup());
  process.on('uncaughtException', (err) => handlers.crash(err));
  process.on('unhandledRejection', (err) => handlers.crash(err));
}
