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
    Map<Long, String> acked = commitUntilKilled(ACKS_BEFORE_KILL, 0, 1);

    assertThat(acked).hasSize(ACKS_BEFORE_KILL);

    try (JdbcDtabStore store = JdbcDtabStore.openFile(dir)) {
      for (Map.Entry<Long, String> ack : acked.entrySet()) {
        assertThat(store.version("durable", ack.getKey()))
            .hasValueSatisfying(v -> assertThat(v.text()).contains(ack.getValue()));
      }
    }
  }

  /**
   * The report this answers: commits of large dtabs, a kill -9, and a restart that found earlier
   * commits gone and the file shrunk. Here dtabs of about 900 KB (near the 1 MiB limit) are committed,
   * the writer killed at once after an answer, started again on the same directory, three times over;
   * every answered version of every round must be there, and the file must only have grown.
   */
  @Test
  void largeDtabsSurviveRepeatedKillNine() throws Exception {
    Map<Long, String> acked = new LinkedHashMap<>();
    long sizeBefore = 0;
    for (int round = 0; round < 3; round++) {
      acked.putAll(commitUntilKilled(6, 900_000, 1_000L * (round + 1)));
      long size = java.nio.file.Files.size(dir.resolve("turnout.mv.db"));
      assertThat(size).as("store file after round %d", round).isGreaterThanOrEqualTo(sizeBefore);
      sizeBefore = size;
    }

    assertThat(acked).hasSize(18);
    try (JdbcDtabStore store = JdbcDtabStore.openFile(dir)) {
      for (Map.Entry<Long, String> ack : acked.entrySet()) {
        assertThat(store.version("durable", ack.getKey()))
            .as("version %d", ack.getKey())
            .hasValueSatisfying(v -> assertThat(v.text()).contains(ack.getValue()).hasSizeGreaterThan(800_000));
      }
    }
  }

  /** Runs {@link DurabilityChild} until it has acknowledged {@code acks} versions, then kills it (SIGKILL). */
  private Map<Long, String> commitUntilKilled(int acks, int padding, long firstMarker) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                DurabilityChild.class.getName(),
                dir.toString(),
                Integer.toString(padding),
                Long.toString(firstMarker))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Map<Long, String> acked = new LinkedHashMap<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked.size() < acks && (line = out.readLine()) != null) {
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
    return acked;
  }
}
