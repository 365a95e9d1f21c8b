// Process signal wiring, installed once per process: SIGTERM/SIGINT stop, SIGHUP reloads.

export interface SignalHandlers {
  stop: (signal: NodeJS.Signals) => Promise<void>;
  reload?: () => void;
}

let installed = false;

/** Installs the handlers; a second stop signal while stopping is ignored (the supervisor escalates). */
export function installSignalHandlers(handlers: SignalHandlers): void {
  if (installed) throw new Error('signal handlers are already installed');
  installed = true;
  let stopping = false;
  const onStop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    handlers
      .stop(signal)
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', () => handlers.reload?.());
}
