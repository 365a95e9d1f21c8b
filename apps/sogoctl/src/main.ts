// sogoctl: the SOGOMS supervisor (SPEC §4). Wiring only: the commands live in ./commands, the logic in ./supervisor.
import { runCli } from './cli.js';

process.exit(await runCli(process.argv.slice(2)));
