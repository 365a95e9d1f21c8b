export type { CallOptions, ServiceClient, ServiceClientOptions } from './client.js';
export {
  callOnce,
  createServiceClient,
  DEFAULT_CONNECTIONS_PER_SOCKET,
  DEFAULT_TIMEOUT_MS,
  discoverSockets,
} from './client.js';
export { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, FrameTooLargeError } from './codec.js';
export type { ColumnInfo } from './columns.js';
export type { WireError } from './errors.js';
export { ErrorCode, fromWireError, isSogomsError, SogomsError, toWireError } from './errors.js';
export type { ProtocolRequest, ProtocolResponse } from './messages.js';
export { newRequestId } from './messages.js';
export type { SocketState } from './probe.js';
export { probeSocket } from './probe.js';
export { RawJson } from './raw-json.js';
export type { ActionHandler, MinimalLogger, ProtocolServer, ProtocolServerOptions } from './server.js';
export { createProtocolServer, DEFAULT_DRAIN_MS } from './server.js';
