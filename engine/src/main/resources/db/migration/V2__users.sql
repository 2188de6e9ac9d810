-- Users of the API and the dashboard. Only a salted PBKDF2-HMAC-SHA256 hash of each password is
-- kept, with the iteration count it was made with, so the count can grow without a migration.
CREATE TABLE app_user (
  name       VARCHAR(64)              NOT NULL PRIMARY KEY,
  role       VARCHAR(16)              NOT NULL CHECK (role IN ('OPERATOR', 'VIEWER')),
  salt       BYTEA                    NOT NULL,
  hash       BYTEA                    NOT NULL,
  iterations INTEGER                  NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
