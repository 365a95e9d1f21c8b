// The sogoctl command line (commander). Go-style single-dash flags (`-config DIR`) are accepted as well as
// `--config DIR`. Every command resolves to an exit code; usage errors exit with EXIT_CONFIG (2).

import { findConfigDir } from '@sogoms/config';
import { versionLine } from '@sogoms/version';
import { Command, CommanderError } from 'commander';
import { normaliseArgv } from './argv.js';
import { checkCommand } from './commands/check.js';
import { restartCommand, statusCommand } from './commands/control-client.js';
import { cronListCommand, cronRunCommand } from './commands/cron.js';
import { EXIT_CONFIG, EXIT_OK, type Io, processIo } from './commands/exit-codes.js';
import { runCommand } from './commands/run.js';

const CONFIG_FLAG = '--config <dir>';
const CONFIG_HELP = 'configuration directory holding sogoctl.yaml';
const FOUND_HELP = `${CONFIG_HELP}; default: $SOGOMS_CONFIG, else ./config/dev when present, else /opt/sogoms/config`;
const CONTROL_HELP = `${FOUND_HELP} (to find supervisor.control_socket; without any, /run/sogoctl.sock)`;
const CRON_HELP = `${CONFIG_HELP} (to find the sogoms-cron health_socket; default /run/sogoms-cron.1.sock)`;

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
    .option(
      '--console',
      'short human lines on the console instead of JSON (default when stderr is a terminal)',
    )
    .action(async (opts: { config: string; console?: boolean }) => {
      code = await runCommand(opts.config, io, opts.console ? { console: true } : {});
    });
  program
    .command('status')
    .description("print the running supervisor's table of services")
    .option(CONFIG_FLAG, CONTROL_HELP)
    .option('--json', 'print {supervisor, instances} as one JSON object')
    .action(async (opts: { config?: string; json?: boolean }) => {
      code = await statusCommand(opts.config, io, { json: opts.json === true });
    });
  program
    .command('restart')
    .description('restart every instance of one service (also lifts a FATAL state)')
    .argument('<name>', 'service name from sogoctl.yaml')
    .option(CONFIG_FLAG, CONTROL_HELP)
    .action(async (name: string, opts: { config?: string }) => {
      code = await restartCommand(name, opts.config, io);
    });
  const cron = program.command('cron').description('scheduled jobs of sogoms-cron (cron/{app}.yaml)');
  cron
    .command('list')
    .description('list every job with its next run time')
    .option(CONFIG_FLAG, CRON_HELP)
    .action(async (opts: { config?: string }) => {
      code = await cronListCommand(opts.config, io);
    });
  cron
    .command('run')
    .description('run one job now and print how it ended')
    .argument('<app>', 'application id')
    .argument('<job>', 'job name from cron/{app}.yaml')
    .option(CONFIG_FLAG, CRON_HELP)
    .action(async (app: string, job: string, opts: { config?: string }) => {
      code = await cronRunCommand(app, job, opts.config, io);
    });
  program
    .command('check')
    .description('validate the whole configuration tree and list every problem')
    .option(CONFIG_FLAG, FOUND_HELP)
    .action(async (opts: { config?: string }) => {
      const found = findConfigDir(opts.config);
      if (!found) {
        io.stderr.write(
          'sogoctl: no configuration directory: pass -config DIR (or set SOGOMS_CONFIG; ./config/dev and /opt/sogoms/config are not there)\n',
        );
        code = EXIT_CONFIG;
        return;
      }
      code = await checkCommand(found.dir, io);
    });

  try {
    await program.parseAsync(normaliseArgv(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_CONFIG;
    throw err;
  }
  return code;
}
