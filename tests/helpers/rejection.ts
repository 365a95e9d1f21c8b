// The error a promise rejects with, for assertions on its code and data; fails when it resolves.
import type { SogomsError } from '@sogoms/protocol';

export async function rejection(p: unknown): Promise<SogomsError> {
  try {
    await p;
  } catch (err) {
    return err as SogomsError;
  }
  throw new Error('expected a rejection');
}
