-- Signed-in dashboard sessions, shared by every control plane that uses this database: a session made
-- on one is accepted on all, and ending it on one ends it everywhere. The browser holds a random
-- secret; only its SHA-256 (hex) is kept here, so reading this table gives no one a usable cookie.
-- A row is only ever inserted, touched (last_seen) and deleted, never written back from a copy, so a
-- request still in flight cannot bring back a session that sign-out removed.
CREATE TABLE signed_in_session (
  secret_sha256 VARCHAR(64)              NOT NULL PRIMARY KEY,
  user_name     VARCHAR(64)              NOT NULL REFERENCES app_user (name),
  csrf          VARCHAR(64)              NOT NULL,
  created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  last_seen     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX signed_in_session_user ON signed_in_session (user_name);
CREATE INDEX signed_in_session_last_seen ON signed_in_session (last_seen);
