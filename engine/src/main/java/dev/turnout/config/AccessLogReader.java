package dev.turnout.config;

import dev.turnout.accesslog.AccessLog;
import dev.turnout.accesslog.RollPolicy;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A router's {@code httpAccessLog} keys (see {@link AccessLogConfig}). The file is not created here,
 * but a path that could not be written (a folder that is not writable, a path that is a folder) stops
 * start-up now, naming the key, rather than when the first request is logged. The companion keys
 * without {@code httpAccessLog} have nothing to act on and are warned about. An h2 router's keys are
 * {@code h2AccessLog} and its companions.
 */
final class AccessLogReader {
  static final String PATH = "httpAccessLog";
  static final String ROLL = "httpAccessLogRollPolicy";
  static final String APPEND = "httpAccessLogAppend";
  static final String ROTATE = "httpAccessLogRotateCount";

  private AccessLogReader() {}

  /** An h2 router's names for the same keys (Linkerd's H2Config). */
  static final String H2_PATH = "h2AccessLog";
  static final String H2_ROLL = "h2AccessLogRollPolicy";
  static final String H2_APPEND = "h2AccessLogAppend";
  static final String H2_ROTATE = "h2AccessLogRotateCount";

  static Optional<AccessLogConfig> read(ConfigContext context, YamlNode router) {
    return read(context, router, PATH, ROLL, APPEND, ROTATE);
  }

  /** An h2 router's {@code h2AccessLog} keys, read as the http ones are. */
  static Optional<AccessLogConfig> readH2(ConfigContext context, YamlNode router) {
    return read(context, router, H2_PATH, H2_ROLL, H2_APPEND, H2_ROTATE);
  }

  private static Optional<AccessLogConfig> read(
      ConfigContext context, YamlNode router, String PATH, String ROLL, String APPEND, String ROTATE) {
    if (!router.has(PATH)) {
      for (String key : new String[] {ROLL, APPEND, ROTATE}) {
        if (router.has(key)) {
          context.warn(router.path + "." + key, "there is no " + PATH + " for it to apply to");
        }
      }
      return Optional.empty();
    }
    String text = router.requiredText(PATH);
    Path path = context.baseDir().resolve(text).normalize();
    AccessLog.unwritable(path)
        .ifPresent(why -> {
          throw new ConfigException(router.path + "." + PATH + ": cannot write the access log: " + why);
        });
    RollPolicy policy;
    try {
      policy = RollPolicy.parse(router.text(ROLL, "never"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(router.path + "." + ROLL + ": " + e.getMessage());
    }
    long rotate = router.integer(ROTATE, -1);
    if (rotate < -1 || rotate > Integer.MAX_VALUE) {
      throw new ConfigException(router.path + "." + ROTATE + ": must be -1 (keep all) or a count of files, not " + rotate);
    }
    return Optional.of(new AccessLogConfig(path, policy, router.bool(APPEND, true), (int) rotate));
  }
}
