-- Auth lifecycle (DOCTECH §7 "Sessions"): revocable sessions, rotating refresh tokens and verified addresses,
-- in the app's own database so that every gateway instance sees a revocation. Needed by an app with
-- `auth.sessions: true` (the default) or `auth.yaml email_verification`; an app with `sessions: false` and no
-- verification runs without them. Idempotent: `mysql DB < clients/migrations/001_sessions.mysql.sql`.
-- Times are milliseconds since the epoch, on the gateway's clock. No foreign key to the users table (its name
-- is the app's register.table): a session whose user is gone is refused by the gateway's check.

CREATE TABLE IF NOT EXISTS sogoms_sessions (
  id VARCHAR(32) NOT NULL, -- random; the access token's `sid`; one per login (the refresh-token family)
  user_id BIGINT UNSIGNED NOT NULL,
  role VARCHAR(64) NOT NULL, -- the user's role at login: another current role ends the session
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL, -- pushed back by refresh_ttl at every refresh
  revoked_at BIGINT NULL, -- logout, password change or reset, refresh-token reuse, role change, deleted user
  PRIMARY KEY (id),
  KEY idx_sogoms_sessions_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE IF NOT EXISTS sogoms_refresh_tokens (
  hash CHAR(64) NOT NULL, -- SHA-256 (hex) of the refresh token; the token itself is never stored
  session_id VARCHAR(32) NOT NULL,
  created_at BIGINT NOT NULL,
  spent_at BIGINT NULL, -- set by its rotation: presenting it again revokes the session
  PRIMARY KEY (hash),
  KEY idx_sogoms_refresh_tokens_session (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE IF NOT EXISTS sogoms_email_verifications (
  user_id BIGINT UNSIGNED NOT NULL,
  email VARCHAR(255) NOT NULL, -- the address verified: a user whose address changed is unverified again
  verified_at BIGINT NOT NULL,
  PRIMARY KEY (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
