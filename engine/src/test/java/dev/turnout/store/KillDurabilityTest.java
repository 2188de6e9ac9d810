package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An answered write survives the process being killed with SIGKILL right after the answer. */
class KillDurabilityTest {
  private static final int ACKS_BEFORE_KILL = 40;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedVersionSurvivesKillNine() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                DurabilityChild.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Map<Long, String> acked = new LinkedHashMap<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
        if (line.startsWith("acked ")) {
          String[] parts = line.split(" ");
          acked.put(Long.parseLong(parts[1]), parts[2]);
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acked).hasSize(ACKS_BEFORE_KILL);

    try (JdbcDtabStore store = JdbcDtabStore.openFile(dir)) {
      for (Map.Entry<Long, String> ack : acked.entrySet()) {
        assertThat(store.version("durable", ack.getKey()))
            .hasValueSatisfying(v -> assertThat(v.text()).contains(ack.getValue()));
      }
    }
  }
}
