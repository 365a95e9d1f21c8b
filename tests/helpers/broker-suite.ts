// A private Mosquitto (helpers/mosquitto.ts) for the tests of one describe block: started before its first
// test, closed after its last.
import { afterAll, beforeAll } from 'vitest';
import { startBroker, type TestBroker } from './mosquitto.js';

/** Call inside a describe; the returned function gives the running broker. */
export function useBroker(): () => TestBroker {
  let broker: TestBroker | undefined;
  beforeAll(async () => {
    broker = await startBroker();
  }, 20_000);
  afterAll(async () => {
    await broker?.close();
  });
  return () => {
    if (!broker) throw new Error('the broker is not started yet');
    return broker;
  };
}
