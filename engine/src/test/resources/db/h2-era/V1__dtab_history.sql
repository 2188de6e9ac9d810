-- One row per namespace that was ever created. It is never removed: a deleted namespace keeps its
-- row (deleted = TRUE) so that a re-created one continues the version numbers and no ETag is reused.
CREATE TABLE namespace (
  name           VARCHAR(64) NOT NULL PRIMARY KEY,
  latest_version BIGINT      NOT NULL,
  deleted        BOOLEAN     NOT NULL
);

-- Append-only history: every committed write of a namespace, deletions included. Rows are only
-- ever inserted. dtab_text is the dtab exactly as written; canonical is its Dtab.show() form.
CREATE TABLE dtab_version (
  namespace  VARCHAR(64)              NOT NULL REFERENCES namespace (name),
  version    BIGINT                   NOT NULL,
  dtab_text  CHARACTER LARGE OBJECT   NOT NULL,
  canonical  CHARACTER LARGE OBJECT   NOT NULL,
  author     VARCHAR(256)             NOT NULL,
  comment    VARCHAR(4096)            NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  deleted    BOOLEAN                  NOT NULL,
  PRIMARY KEY (namespace, version)
);
