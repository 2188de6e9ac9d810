-- The fleet: every Turnout process that reports to a control plane (proxy-only processes, and the
-- control planes themselves), one row each, replaced by its next report. report is the JSON the
-- process last sent (routers, the dtab version each routes by, figures); reported_at is when the
-- control plane that stored it (reported_to) received it. A row whose process stopped reporting
-- stays, shown as stale, until it has been silent for longer than the fleet's retention.
CREATE TABLE fleet_instance (
  instance_id VARCHAR(128)             NOT NULL PRIMARY KEY,
  role        VARCHAR(16)              NOT NULL,
  admin       VARCHAR(300)             NOT NULL,
  reported_to VARCHAR(300)             NOT NULL,
  report      TEXT                     NOT NULL,
  reported_at TIMESTAMP WITH TIME ZONE NOT NULL
);
