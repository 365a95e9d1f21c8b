export { TokenError, TokenFailure, type TokenFailureReason } from './errors.js';
export { signToken, type TokenClaims, type UserClaims, verifyToken } from './jwt.js';
export {
  DEFAULT_BCRYPT_COST,
  hashPassword,
  MAX_PASSWORD_BYTES,
  passwordTooLong,
  prepareDummyHash,
  verifyPassword,
} from './password.js';
export { DEFAULT_TOKEN_CACHE_ENTRIES, TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';
