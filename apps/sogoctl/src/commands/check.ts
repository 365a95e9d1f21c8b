// `sogoctl check -config DIR`: validates the whole configuration tree without starting anything.
import { checkConfigTree, formatProblem } from '@sogoms/config';
import { EXIT_FAILURE, EXIT_OK, type Io } from './exit-codes.js';

/** Prints every problem as "file: key.path: reason" (exit 1), or "config OK" (exit 0). */
export function checkCommand(configDir: string, io: Io): number {
  const problems = checkConfigTree(configDir);
  if (problems.length === 0) {
    io.stdout.write('config OK\n');
    return EXIT_OK;
  }
  for (const p of problems) io.stdout.write(`${formatProblem(p)}\n`);
  io.stderr.write(`sogoctl: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${configDir}\n`);
  return EXIT_FAILURE;
}
