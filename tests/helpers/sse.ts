// A small Server-Sent Events client over node:http (fetch cannot set Host): collects the events of one stream.
import { request } from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  /** The `change` events' data, parsed. */
  changes(): Record<string, unknown>[];
  /** Resolves with the first event (already received or to come) that satisfies `test`. */
  next(test: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<{ test: (e: SseEvent) => boolean; done: (e: SseEvent) => void }>();
      let buffer = '';
      let endResolve = () => {};
      const ended = new Promise<void>((r) => {
        endResolve = r;
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf('\n\n'); i !== -1; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length === 0 && event === 'message') continue;
          const e = { event, data: data.join('\n') };
          events.push(e);
          for (const w of [...waiters]) if (w.test(e)) w.done(e);
        }
      });
      res.on('end', endResolve);
      res.on('close', endResolve);
      resolve({
        status: res.statusCode ?? 0,
        events,
        changes: () =>
          events
            .filter((e) => e.event === 'change')
            .map((e) => JSON.parse(e.data) as Record<string, unknown>),
        next(test, timeoutMs = 10_000) {
          const found = events.find(test);
          if (found) return Promise.resolve(found);
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => {
              waiters.delete(w);
              fail(new Error(`no such SSE event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
            }, timeoutMs);
            const w = {
              test,
              done: (e: SseEvent) => {
                clearTimeout(timer);
                waiters.delete(w);
                ok(e);
              },
            };
            waiters.add(w);
          });
        },
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
