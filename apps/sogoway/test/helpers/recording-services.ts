// Real protocol servers standing in for sogoms-logs and sogoms-smtp: they record what the gateway sends, and
// can be told to fail, so tests can check events, error reports and mails.
import { type ActionHandler, createProtocolServer, type ProtocolServer, SogomsError } from '@sogoms/protocol';

export interface Recorded {
  action: string;
  params: Record<string, unknown>;
  id: string;
}

export interface RecordingService {
  server: ProtocolServer;
  calls: Recorded[];
  /** When set, every action but health fails with this code. */
  failWith: string | undefined;
  /** When set, every action, health included, never answers (a stalled process). */
  hang: boolean;
  /** The answer to `health` (default `{status: 'ok'}`). */
  healthAnswer: Record<string, unknown>;
  /** Resolves when a call for `action` matching `where` has been recorded (fire-and-forget calls). */
  waitFor(action: string, where?: (params: Record<string, unknown>) => boolean): Promise<Recorded>;
  close(): Promise<void>;
}

export async function startRecordingService(
  socketPath: string,
  actions: string[],
): Promise<RecordingService> {
  const calls: Recorded[] = [];
  const waiters: {
    action: string;
    where: (p: Record<string, unknown>) => boolean;
    resolve: (r: Recorded) => void;
  }[] = [];
  const healthAnswer: Record<string, unknown> = { status: 'ok' };
  const service = { calls, failWith: undefined, hang: false, healthAnswer } as RecordingService;
  const never = new Promise<never>(() => undefined);
  const record = (action: string): ActionHandler => {
    return (params, ctx) => {
      if (service.hang) return never;
      if (service.failWith) throw new SogomsError(service.failWith, `${action} failed (test)`);
      const entry = { action, params, id: ctx.id };
      calls.push(entry);
      for (const w of [...waiters]) {
        if (w.action === action && w.where(params)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
      return action === 'send_template'
        ? { message_id: `<${calls.length}@test>`, accepted: [params.to] }
        : { ok: true };
    };
  };
  const handlers: Record<string, ActionHandler> = {
    health: () => (service.hang ? never : service.healthAnswer),
  };
  for (const action of actions) handlers[action] = record(action);
  const server = createProtocolServer({ socketPath, handlers });
  await server.listen();
  return Object.assign(service, {
    server,
    waitFor(action: string, where: (p: Record<string, unknown>) => boolean = () => true) {
      const found = calls.find((c) => c.action === action && where(c.params));
      if (found) return Promise.resolve(found);
      return new Promise<Recorded>((resolve) => waiters.push({ action, where, resolve }));
    },
    close: () => server.close(0),
  });
}
