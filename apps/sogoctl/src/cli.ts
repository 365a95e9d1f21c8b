// The sogoctl command line (commander). Go-style single-dash flags (`-config DIR`) are accepted as well as
// `--config DIR`. Every command resolves to an exit code; usage errors exit with EXIT_CONFIG (2).

import { versionLine } from '@sogoms/version';
import { Command, CommanderError } from 'commander';
import { normaliseArgv } from './argv.js';
import { checkCommand } from './commands/check.js';
import { restartCommand, statusCommand } from './commands/control-client.js';
import { EXIT_CONFIG, EXIT_OK, type Io, processIo } from './commands/exit-codes.js';
import { runCommand } from './commands/run.js';

const CONFIG_FLAG = '--config <dir>';
const CONFIG_HELP = 'configuration directory holding sogoctl.yaml';
const CONTROL_HELP = `${CONFIG_HELP} (to find supervisor.control_socket; default /run/sogoctl.sock)`;

/** Parses argv (without node and script) and runs the chosen command; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = EXIT_OK;
  const program = new Command('sogoctl')
    .description(
      'SOGOMS supervisor: starts the services in dependency order, health-checks and restarts them',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .version(versionLine('sogoctl'), '-V, --version', 'print the version and build time');

  program
    .command('run', { isDefault: true })
    .description('run the supervisor in the foreground (the default command)')
    .requiredOption(CONFIG_FLAG, CONFIG_HELP)
    .action(async (opts: { config: string }) => {
      code = await runCommand(opts.config, io);
    });
  program
    .command('status')
    .description("print the running supervisor's table of services")
    .option(CONFIG_FLAG, CONTROL_HELP)
    .action(async (opts: { config?: string }) => {
      code = await statusCommand(opts.config, io);
    });
  program
    .command('restart')
    .description('restart every instance of one service (also lifts a FATAL state)')
    .argument('<name>', 'service name from sogoctl.yaml')
    .option(CONFIG_FLAG, CONTROL_HELP)
    .action(async (name: string, opts: { config?: string }) => {
      code = await restartCommand(name, opts.config, io);
    });
  program
    .command('check')
    .description('validate the whole configuration tree and list every problem')
    .requiredOption(CONFIG_FLAG, CONFIG_HELP)
    .action((opts: { config: string }) => {
      code = checkCommand(opts.config, io);
    });

  try {
    await program.parseAsync(normaliseArgv(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_CONFIG;
    throw err;
  }
  return code;
}
