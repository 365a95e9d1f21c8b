// sogoctl: the SOGOMS supervisor (SPEC §4). Wiring only: the commands live in ./commands, the logic in ./supervisor.
import { runCli } from './cli.js';

// The process name operators look for (`pgrep -x sogoctl`, deploy.sh's graceful restart).
process.title = 'sogoctl';
process.exit(await runCli(process.argv.slice(2)));
