-- prokov: SQLite twin of clients/prokov.sql (same tables, columns, constraints and indexes), used by the
-- dev run (`pnpm start`) and by tests. Idempotent. Dates are TEXT "YYYY-MM-DD HH:MM:SS" (CURRENT_TIMESTAMP
-- is UTC); updated_at is kept current by triggers, as MariaDB's ON UPDATE CURRENT_TIMESTAMP does.
-- Foreign keys are enforced only on connections that run PRAGMA foreign_keys = ON (sogoms-db does).
-- STRICT tables refuse what the MariaDB column would refuse ("abc" or 1.5 in an integer column); STRICT allows
-- only INTEGER/INT/REAL/TEXT/BLOB/ANY, so the MariaDB sizes are CHECKs of four forms that sogoms-db's `describe`
-- reads back (DOCTECH §2.3): length(col) <= n for VARCHAR(n), octet_length(col) <= n for TEXT (bytes),
-- col BETWEEN a AND b for INT/SMALLINT/TINYINT, date(col) IS col for DATE. Keep them in step with prokov.sql.
-- An existing database made from an older version of this file keeps its tables: the gateway checks values
-- against the same limits either way (re-create the file to have SQLite enforce them too).

PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL COLLATE NOCASE CHECK (length(email) <= 255), -- case-insensitive like MariaDB's utf8mb4_unicode_ci
  password TEXT NOT NULL CHECK (length(password) <= 255), -- bcrypt hash, never returned by the API
  name TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 100),
  role TEXT NOT NULL DEFAULT 'user' CHECK (length(role) <= 20),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT uq_users_email UNIQUE (email)
) STRICT;

CREATE TABLE IF NOT EXISTS projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) <= 150),
  description TEXT NULL CHECK (octet_length(description) <= 65535),
  color TEXT NULL CHECK (length(color) <= 20),
  position INTEGER NOT NULL DEFAULT 0 CHECK (position BETWEEN -2147483648 AND 2147483647),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;
CREATE INDEX IF NOT EXISTS idx_projects_user_position ON projects (user_id, position);

CREATE TABLE IF NOT EXISTS statuses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) <= 50),
  color TEXT NULL CHECK (length(color) <= 20),
  position INTEGER NOT NULL DEFAULT 0 CHECK (position BETWEEN -2147483648 AND 2147483647),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;
CREATE INDEX IF NOT EXISTS idx_statuses_user_position ON statuses (user_id, position);

CREATE TABLE IF NOT EXISTS tags (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) <= 50),
  color TEXT NULL CHECK (length(color) <= 20),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT uq_tags_user_name UNIQUE (user_id, name)
) STRICT;

CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id INTEGER NULL REFERENCES projects (id) ON DELETE CASCADE CHECK (project_id BETWEEN 0 AND 4294967295), -- NULL = inbox, no project
  status_id INTEGER NULL REFERENCES statuses (id) ON DELETE SET NULL CHECK (status_id BETWEEN 0 AND 4294967295),
  title TEXT NOT NULL CHECK (length(title) <= 255),
  description TEXT NULL CHECK (octet_length(description) <= 65535),
  priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -32768 AND 32767),
  due_date TEXT NULL CHECK (date(due_date) IS due_date), -- YYYY-MM-DD
  position INTEGER NOT NULL DEFAULT 0 CHECK (position BETWEEN -2147483648 AND 2147483647),
  done INTEGER NOT NULL DEFAULT 0 CHECK (done BETWEEN -128 AND 127),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;
CREATE INDEX IF NOT EXISTS idx_tasks_user_id ON tasks (user_id, id);
CREATE INDEX IF NOT EXISTS idx_tasks_user_position ON tasks (user_id, position, id);
CREATE INDEX IF NOT EXISTS idx_tasks_user_due ON tasks (user_id, due_date);
CREATE INDEX IF NOT EXISTS idx_tasks_project ON tasks (project_id);
CREATE INDEX IF NOT EXISTS idx_tasks_status ON tasks (status_id);

CREATE TABLE IF NOT EXISTS task_tags (
  task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (task_id, tag_id)
) STRICT;
CREATE INDEX IF NOT EXISTS idx_task_tags_tag ON task_tags (tag_id);

-- updated_at: the WHEN clause lets an explicit updated_at through and stops the trigger from re-firing.
CREATE TRIGGER IF NOT EXISTS trg_users_updated_at AFTER UPDATE ON users
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE users SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS trg_projects_updated_at AFTER UPDATE ON projects
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE projects SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS trg_statuses_updated_at AFTER UPDATE ON statuses
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE statuses SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS trg_tags_updated_at AFTER UPDATE ON tags
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE tags SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS trg_tasks_updated_at AFTER UPDATE ON tasks
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE tasks SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

-- Auth lifecycle tables (sessions, refresh tokens, verified addresses): the same as
-- clients/migrations/001_sessions.sqlite.sql, which migrates an existing database.
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
