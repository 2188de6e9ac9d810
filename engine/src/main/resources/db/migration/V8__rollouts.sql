-- Progressive rollouts (issue 28): one row per rollout of a namespace's dentry to a canary. The
-- columns a query selects on are their own (namespace, service prefix, state); the rest of what the
-- driver keeps (steps, thresholds, the step it stands at, the figures seen in its window, each step's
-- verdict) is the JSON in detail, which only the control plane's rollout driver reads and writes.
-- A row is inserted when a rollout starts and updated as it moves; rows are never deleted, so the
-- rollouts of a namespace are its record of what was tried.
CREATE TABLE rollout (
  id          BIGINT                   NOT NULL PRIMARY KEY,
  namespace   VARCHAR(255)             NOT NULL,
  service     VARCHAR(1000)            NOT NULL,
  state       VARCHAR(16)              NOT NULL,
  revision    BIGINT                   NOT NULL,
  detail      TEXT                     NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX rollout_namespace ON rollout (namespace);
CREATE INDEX rollout_state ON rollout (state);

-- Which control plane drives the rollouts: the holder renews its lease every tick; when it stops
-- (killed, cut off), another takes the lease once expires_at has passed. One row, name 'driver'.
CREATE TABLE rollout_lease (
  name        VARCHAR(64)              NOT NULL PRIMARY KEY,
  holder      VARCHAR(300)             NOT NULL,
  expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
