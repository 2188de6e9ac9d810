package dev.turnout.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.testing.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
  @TempDir Path dir;
  private final MovableClock clock = new MovableClock(Instant.parse("2024-03-05T14:07:09Z"));

  private static byte[] line(String text) {
    return (text + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private List<String> names() throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    }
    out.sort(null);
    return out;
  }

  @Test
  void linesQueuedByCallersReachTheFileInOrder() throws IOException {
    Path file = dir.resolve("access.log");
    AccessLog log = AccessLog.open(file, RollPolicy.NEVER, true, -1, clock);

    log.add("one");
    log.add("two");
    Await.until(Duration.ofSeconds(5), () -> log.written() == 2);
    log.close();

    assertThat(Files.readAllLines(file)).containsExactly("one", "two");
    assertThat(log.dropped()).isZero();
  }

  @Test
  void appendFalseStartsTheFileAfresh() throws IOException {
    Path file = dir.resolve("access.log");
    Files.writeString(file, "old\n");

    AccessLog log = AccessLog.open(file, RollPolicy.NEVER, false, -1, clock);
    log.add("new");
    log.close();

    assertThat(Files.readAllLines(file)).containsExactly("new");
  }

  @Test
  void aSizePolicyRollsBeforeALineWouldTakeTheFilePastIt() throws IOException {
    RollingFile f = new RollingFile(dir.resolve("access.log"), RollPolicy.parse("12.bytes"), true, -1, clock);

    f.write(line("12345"));
    f.write(line("abcd"));
    f.write(line("xyz"));
    f.close();

    assertThat(names()).containsExactly("access-20240305-140709.log", "access.log");
    assertThat(Files.readString(dir.resolve("access-20240305-140709.log"))).isEqualTo("12345\nabcd\n");
    assertThat(Files.readString(dir.resolve("access.log"))).isEqualTo("xyz\n");
  }

  @Test
  void anHourlyPolicyRollsAtTheTopOfTheNextHourNamingTheHourTheFileWasOpened() throws IOException {
    RollingFile f = new RollingFile(dir.resolve("access.log"), RollPolicy.parse("hourly"), true, -1, clock);
    f.write(line("at 14:07"));

    clock.advance(Duration.ofMinutes(52)); // 14:59:09
    f.write(line("at 14:59"));
    clock.advance(Duration.ofMinutes(1)); // 15:00:09
    f.write(line("at 15:00"));
    f.close();

    assertThat(Files.readString(dir.resolve("access-20240305-14.log"))).isEqualTo("at 14:07\nat 14:59\n");
    assertThat(Files.readString(dir.resolve("access.log"))).isEqualTo("at 15:00\n");
  }

  @Test
  void aDailyPolicyKeepsOnlyRotateCountRolledFiles() throws IOException {
    RollingFile f = new RollingFile(dir.resolve("access.log"), RollPolicy.parse("Daily"), true, 2, clock);

    for (int day = 0; day < 4; day++) {
      f.write(line("day " + day));
      clock.advance(Duration.ofDays(1));
    }
    f.write(line("day 4"));
    f.close();

    assertThat(names()).containsExactly("access-20240307.log", "access-20240308.log", "access.log");
  }

  @Test
  void aFullQueueDropsLinesAndCountsThemWhileTheWriterIsHeld() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch writing = new CountDownLatch(1);
    List<String> out = new ArrayList<>();
    AccessLog.Sink held =
        new AccessLog.Sink() {
          @Override
          public void write(byte[] line) {
            writing.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            synchronized (out) {
              out.add(new String(line, StandardCharsets.UTF_8).strip());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    AccessLog log = new AccessLog(held, 3, "test");
    log.add("first");
    writing.await();

    for (int i = 0; i < 10; i++) {
      log.add("line " + i);
    }

    assertThat(log.dropped()).isEqualTo(7);
    release.countDown();
    Await.until(Duration.ofSeconds(5), () -> log.written() == 4);
    log.close();
    assertThat(out).containsExactly("first", "line 0", "line 1", "line 2");
  }

  @Test
  void rollPoliciesAreReadAsTwitterUtilReadsThem() {
    assertThat(RollPolicy.parse("never")).isEqualTo(RollPolicy.NEVER);
    assertThat(RollPolicy.parse("HOURLY").kind()).isEqualTo(RollPolicy.Kind.HOURLY);
    assertThat(RollPolicy.parse("weekly(1)")).isEqualTo(new RollPolicy(RollPolicy.Kind.WEEKLY, 0, 1));
    assertThat(RollPolicy.parse("10.megabytes").maxBytes()).isEqualTo(10L << 20);
    assertThat(RollPolicy.parse("1.gigabyte").maxBytes()).isEqualTo(1L << 30);
  }

  @Test
  void sighupAndUnknownPoliciesAreRefusedSayingWhatIsAccepted() {
    assertThatThrownBy(() -> RollPolicy.parse("sighup")).hasMessageContaining("SIGHUP");
    assertThatThrownBy(() -> RollPolicy.parse("monthly"))
        .hasMessage("must be never, hourly, daily, weekly(1-7) or a size such as 10.megabytes, not monthly");
  }
}
