-- Auth lifecycle (DOCTECH §7 "Sessions"): SQLite twin of 001_sessions.mysql.sql (same tables, columns and
-- indexes). Idempotent: `sqlite3 prokov.db < clients/migrations/001_sessions.sqlite.sql`.
-- Times are milliseconds since the epoch, on the gateway's clock.

CREATE TABLE IF NOT EXISTS sogoms_sessions (
  id TEXT NOT NULL PRIMARY KEY CHECK (length(id) <= 32), -- the access token's `sid`
  user_id INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (length(role) <= 64),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER NULL
) STRICT;
CREATE INDEX IF NOT EXISTS idx_sogoms_sessions_user ON sogoms_sessions (user_id);

CREATE TABLE IF NOT EXISTS sogoms_refresh_tokens (
  hash TEXT NOT NULL PRIMARY KEY CHECK (length(hash) = 64), -- SHA-256 (hex) of the refresh token
  session_id TEXT NOT NULL CHECK (length(session_id) <= 32),
  created_at INTEGER NOT NULL,
  spent_at INTEGER NULL
) STRICT;
CREATE INDEX IF NOT EXISTS idx_sogoms_refresh_tokens_session ON sogoms_refresh_tokens (session_id);

CREATE TABLE IF NOT EXISTS sogoms_email_verifications (
  user_id INTEGER NOT NULL PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE CHECK (length(email) <= 255),
  verified_at INTEGER NOT NULL
) STRICT;
