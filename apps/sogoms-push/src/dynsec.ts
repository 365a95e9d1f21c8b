// Commands to Mosquitto's dynamic-security plugin, sent on $CONTROL/dynamic-security/v1 over a broker link whose
// account holds the plugin's admin role; each answer is matched to its command by correlationData.
import { randomBytes } from 'node:crypto';
import type { BrokerLink } from '@sogoms/push';

export const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;
export const COMMAND_TIMEOUT_MS = 5_000;

export class DynsecError extends Error {}

interface Pending {
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class Dynsec {
  private readonly pending = new Map<string, Pending>();
  private subscribed: Promise<void> | undefined;

  constructor(private readonly link: BrokerLink) {
    link.onTopic(RESPONSE_TOPIC, (payload) => this.answer(payload));
  }

  /** Runs one command; resolves with its `data`, rejects with the plugin's error text. */
  async command(command: string, params: Record<string, unknown>): Promise<unknown> {
    if (!this.link.client.connected) throw new DynsecError('the MQTT broker is unreachable');
    await this.subscribe();
    const correlationData = randomBytes(8).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationData);
        reject(new DynsecError(`no answer from the dynamic-security plugin to ${command}`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(correlationData, { resolve, reject, timer });
      const payload = JSON.stringify({ commands: [{ command, correlationData, ...params }] });
      this.link.client.publish(CONTROL_TOPIC, payload, { qos: 1 }, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(correlationData);
        reject(new DynsecError(err.message));
      });
    });
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new DynsecError('closing'));
    }
    this.pending.clear();
  }

  private subscribe(): Promise<void> {
    this.subscribed ??= this.link.client
      .subscribeAsync(RESPONSE_TOPIC, { qos: 1 })
      .then((grants) => {
        if (grants.some((g) => g.qos > 2)) throw new DynsecError('not allowed to read the plugin’s answers');
      })
      .catch((err: Error) => {
        this.subscribed = undefined;
        throw err instanceof DynsecError ? err : new DynsecError(err.message);
      });
    return this.subscribed;
  }

  private answer(payload: Buffer): void {
    let responses: { correlationData?: string; error?: string; data?: unknown }[];
    try {
      responses = (JSON.parse(payload.toString('utf8')) as { responses?: typeof responses }).responses ?? [];
    } catch {
      return;
    }
    for (const r of responses) {
      const p = r.correlationData ? this.pending.get(r.correlationData) : undefined;
      if (!p) continue;
      this.pending.delete(r.correlationData!);
      clearTimeout(p.timer);
      if (r.error) p.reject(new DynsecError(r.error));
      else p.resolve(r.data);
    }
  }
}
