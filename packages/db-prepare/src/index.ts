export {
  CHECK_CONNECT_TIMEOUT_MS,
  type DirectPrepareResult,
  type PrepareProblem,
  prepareDirect,
} from './direct.js';
export {
  PREPARE_MESSAGE_CHARS,
  type PrepareDriverKind,
  type ProbeStatement,
  prepareMessage,
  probeFor,
} from './probe.js';
export { registerMysqlFunctions, utcDateTime } from './sqlite-functions.js';
export { appStatements, changedStatements, type PrepareStatement } from './statements.js';
