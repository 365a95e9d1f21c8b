-- prokov: schema of the SOGOMS demo application (MariaDB 10.6+ / MySQL 8, InnoDB, utf8mb4).
-- Idempotent: every object is created only when missing, so the file can be replayed on an existing base.
-- Apply it inside the target database (there is no USE statement), e.g.
--   mariadb prokov < clients/prokov.sql
-- Owned tables carry user_id (the owner column the gateway fills from the token) with a foreign key and an
-- index. Its SQLite twin is clients/prokov.sqlite.sql: keep both in step.

CREATE TABLE IF NOT EXISTS users (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email VARCHAR(255) NOT NULL,
  password VARCHAR(255) NOT NULL COMMENT 'bcrypt hash, never returned by the API',
  name VARCHAR(100) NOT NULL DEFAULT '',
  role VARCHAR(20) NOT NULL DEFAULT 'user',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS projects (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id INT UNSIGNED NOT NULL,
  name VARCHAR(150) NOT NULL,
  description TEXT NULL,
  color VARCHAR(20) NULL,
  position INT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY idx_projects_user_position (user_id, position),
  CONSTRAINT fk_projects_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS statuses (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id INT UNSIGNED NOT NULL,
  name VARCHAR(50) NOT NULL,
  color VARCHAR(20) NULL,
  position INT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY idx_statuses_user_position (user_id, position),
  CONSTRAINT fk_statuses_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS tags (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id INT UNSIGNED NOT NULL,
  name VARCHAR(50) NOT NULL,
  color VARCHAR(20) NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  -- One tag name per user: a second "urgent" is a 409 CONFLICT, not a silent duplicate.
  UNIQUE KEY uq_tags_user_name (user_id, name),
  CONSTRAINT fk_tags_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS tasks (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id INT UNSIGNED NOT NULL,
  project_id INT UNSIGNED NULL COMMENT 'NULL = inbox, no project',
  status_id INT UNSIGNED NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT NULL,
  priority SMALLINT NOT NULL DEFAULT 0,
  due_date DATE NULL,
  position INT NOT NULL DEFAULT 0,
  done TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY idx_tasks_user_id (user_id, id),
  KEY idx_tasks_user_position (user_id, position, id),
  KEY idx_tasks_user_due (user_id, due_date),
  KEY idx_tasks_project (project_id),
  KEY idx_tasks_status (status_id),
  CONSTRAINT fk_tasks_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  -- A task lives in its project: deleting the project deletes its tasks.
  CONSTRAINT fk_tasks_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
  -- Deleting a status keeps the tasks, without a status.
  CONSTRAINT fk_tasks_status FOREIGN KEY (status_id) REFERENCES statuses (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS task_tags (
  task_id INT UNSIGNED NOT NULL,
  tag_id INT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (task_id, tag_id),
  KEY idx_task_tags_tag (tag_id),
  CONSTRAINT fk_task_tags_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
  CONSTRAINT fk_task_tags_tag FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Auth lifecycle tables (sessions, refresh tokens, verified addresses): the same as
-- clients/migrations/001_sessions.mysql.sql, which migrates an existing database.
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
