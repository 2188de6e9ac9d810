package dev.turnout.config;

import dev.turnout.accesslog.RollPolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A router's {@code httpAccessLog} with Linkerd 1's companion keys: {@code httpAccessLogRollPolicy}
 * (default never), {@code httpAccessLogAppend} (default true) and {@code httpAccessLogRotateCount}
 * (rolled files kept; -1, the default, keeps all). The path is resolved against the config file's folder.
 */
public record AccessLogConfig(Path path, RollPolicy rollPolicy, boolean append, int rotateCount) {
  public AccessLogConfig {
    Objects.requireNonNull(path, "httpAccessLog: a path is needed");
    Objects.requireNonNull(rollPolicy, "httpAccessLogRollPolicy: a policy is needed");
    if (rotateCount < -1) {
      throw new IllegalArgumentException("httpAccessLogRotateCount: must be -1 (keep all) or more, not " + rotateCount);
    }
  }
}
