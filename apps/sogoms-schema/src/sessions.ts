// The auth lifecycle tables (sessions, refresh tokens, verified addresses) that /auth needs: the statements of
// clients/migrations/001_sessions.{mysql,sqlite}.sql, which migrate creates with the tables of a schema that has
// auth fields. Keep them in step with those files (a test compares them).

export const SESSION_TABLES = ['sogoms_sessions', 'sogoms_refresh_tokens', 'sogoms_email_verifications'];

export const SESSIONS_SQL: Readonly<Record<'mysql' | 'sqlite', readonly string[]>> = {
  mysql: [
    'CREATE TABLE IF NOT EXISTS sogoms_sessions (\n  id VARCHAR(32) NOT NULL,\n  user_id BIGINT UNSIGNED NOT NULL,\n  role VARCHAR(64) NOT NULL,\n  created_at BIGINT NOT NULL,\n  expires_at BIGINT NOT NULL,\n  revoked_at BIGINT NULL,\n  PRIMARY KEY (id),\n  KEY idx_sogoms_sessions_user (user_id)\n) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin',
    'CREATE TABLE IF NOT EXISTS sogoms_refresh_tokens (\n  hash CHAR(64) NOT NULL,\n  session_id VARCHAR(32) NOT NULL,\n  created_at BIGINT NOT NULL,\n  spent_at BIGINT NULL,\n  PRIMARY KEY (hash),\n  KEY idx_sogoms_refresh_tokens_session (session_id)\n) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin',
    'CREATE TABLE IF NOT EXISTS sogoms_email_verifications (\n  user_id BIGINT UNSIGNED NOT NULL,\n  email VARCHAR(255) NOT NULL,\n  verified_at BIGINT NOT NULL,\n  PRIMARY KEY (user_id)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
  ],
  sqlite: [
    'CREATE TABLE IF NOT EXISTS sogoms_sessions (\n  id TEXT NOT NULL PRIMARY KEY CHECK (length(id) <= 32),\n  user_id INTEGER NOT NULL,\n  role TEXT NOT NULL CHECK (length(role) <= 64),\n  created_at INTEGER NOT NULL,\n  expires_at INTEGER NOT NULL,\n  revoked_at INTEGER NULL\n) STRICT',
    'CREATE INDEX IF NOT EXISTS idx_sogoms_sessions_user ON sogoms_sessions (user_id)',
    'CREATE TABLE IF NOT EXISTS sogoms_refresh_tokens (\n  hash TEXT NOT NULL PRIMARY KEY CHECK (length(hash) = 64),\n  session_id TEXT NOT NULL CHECK (length(session_id) <= 32),\n  created_at INTEGER NOT NULL,\n  spent_at INTEGER NULL\n) STRICT',
    'CREATE INDEX IF NOT EXISTS idx_sogoms_refresh_tokens_session ON sogoms_refresh_tokens (session_id)',
    'CREATE TABLE IF NOT EXISTS sogoms_email_verifications (\n  user_id INTEGER NOT NULL PRIMARY KEY,\n  email TEXT NOT NULL COLLATE NOCASE CHECK (length(email) <= 255),\n  verified_at INTEGER NOT NULL\n) STRICT',
  ],
};
