// `prepareDirect` (mysql2, 1.3 MB with its encodings) is `@sogoms/db-prepare/direct`: only `sogoctl check` needs
// it, and whatever imports this index — the gateway, the supervisor — would load it at every start.
export {
  PREPARE_MESSAGE_CHARS,
  type PrepareDriverKind,
  type ProbeStatement,
  prepareMessage,
  probeFor,
} from './probe.js';
export { registerMysqlFunctions, utcDateTime } from './sqlite-functions.js';
export { appStatements, changedStatements, type PrepareStatement } from './statements.js';
