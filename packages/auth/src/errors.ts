// Why a token was refused. The messages are the ones the gateway sends to HTTP clients (SPEC §5).

export const TokenFailure = {
  missing: 'Missing token',
  invalid: 'Invalid token',
  expired: 'Token expired',
} as const;

export type TokenFailureReason = keyof typeof TokenFailure;

/** Thrown by token verification; `message` is safe to show to a client, `reason` is for code. */
export class TokenError extends Error {
  readonly reason: TokenFailureReason;

  constructor(reason: TokenFailureReason) {
    super(TokenFailure[reason]);
    this.name = 'TokenError';
    this.reason = reason;
  }
}
