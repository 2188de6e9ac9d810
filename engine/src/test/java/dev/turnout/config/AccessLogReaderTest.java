package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.accesslog.RollPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogReaderTest {
  @TempDir Path dir;

  private TurnoutConfig parse(String router) {
    return ConfigLoader.parse("routers:\n- protocol: http\n" + router, dir, dir.resolve("data"));
  }

  @Test
  void linkerdsKeysAreReadWithThePathResolvedAgainstTheConfigFolder() {
    TurnoutConfig c = parse("  httpAccessLog: logs/access.log\n  httpAccessLogRollPolicy: daily\n"
        + "  httpAccessLogAppend: false\n  httpAccessLogRotateCount: 7\n");

    assertThat(c.routers().get(0).accessLog())
        .contains(new AccessLogConfig(dir.resolve("logs/access.log"), RollPolicy.parse("daily"), false, 7));
  }

  @Test
  void withoutRollKeysTheLogNeverRollsAppendsAndKeepsEverything() {
    TurnoutConfig c = parse("  httpAccessLog: access.log\n");

    assertThat(c.routers().get(0).accessLog())
        .contains(new AccessLogConfig(dir.resolve("access.log"), RollPolicy.NEVER, true, -1));
  }

  @Test
  void aPathThatIsAFolderStopsStartUpNamingTheKey() throws Exception {
    Files.createDirectory(dir.resolve("taken"));

    assertThatThrownBy(() -> parse("  httpAccessLog: taken\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("routers[0].httpAccessLog: cannot write the access log: ")
        .hasMessageContaining("is not a regular file");
  }

  @Test
  void aBadRollPolicyIsRefusedWithItsYamlPath() {
    assertThatThrownBy(() -> parse("  httpAccessLog: a.log\n  httpAccessLogRollPolicy: monthly\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("routers[0].httpAccessLogRollPolicy: must be never, hourly");
  }

  @Test
  void rollKeysWithoutALogAreWarnedAbout() {
    TurnoutConfig c = parse("  httpAccessLogRollPolicy: daily\n");

    assertThat(c.warnings()).anyMatch(w -> w.startsWith("routers[0].httpAccessLogRollPolicy: there is no httpAccessLog"));
  }
}
