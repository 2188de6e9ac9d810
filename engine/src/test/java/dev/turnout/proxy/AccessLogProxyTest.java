package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.accesslog.RollPolicy;
import dev.turnout.config.AccessLogConfig;
import dev.turnout.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogProxyTest {
  @TempDir Path dir;
  private final Backend users = Backend.named("users");
  private Fixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    users.close();
  }

  private List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everyRequestTheRouterTakesGetsALineInLinkerdsFormat() {
    Path file = dir.resolve("logs/access.log");
    fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + users.port() + ";",
        r -> r.withAccessLog(Optional.of(new AccessLogConfig(file, RollPolicy.NEVER, true, -1)))));

    fx.get("users", "/hello?x=1", "User-Agent", "probe/1.0", "Referer", "http://example/");
    fx.get("nobody", "/missing");

    Await.until("two lines are written", Duration.ofSeconds(10), () -> lines(file).size() == 2);
    List<String> lines = lines(file);
    String time = "\\[\\d{2}/\\d{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [^\\]]+\\]";
    assertThat(lines.get(0))
        .matches("users 127\\.0\\.0\\.1 - - " + time + " \"GET /hello\\?x=1 HTTP/1\\.1\" 200 5"
            + " \"http://example/\" \"probe/1\\.0\"");
    assertThat(lines.get(1)).matches("nobody 127\\.0\\.0\\.1 - - " + time + " \"GET /missing HTTP/1\\.1\" 502 \\d+ \"-\" \"[^\"]*\"");
  }

  @Test
  void theRouterServersFiguresCountEveryRequestByTheStatusTheCallerGot() {
    fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + users.port() + ";"));

    fx.get("users", "/");
    fx.get("nobody", "/");

    String server = "127.0.0.1/" + fx.port();
    Await.until("both requests are counted", Duration.ofSeconds(5),
        () -> fx.metrics.flat().getOrDefault("rt/web/server/" + server + "/requests", 0L).longValue() == 2);
    assertThat(fx.metrics.flat())
        .containsEntry("rt/web/server/" + server + "/success", 1L)
        .containsEntry("rt/web/server/" + server + "/failures/502", 1L)
        .containsEntry("rt/web/server/" + server + "/status/200", 1L)
        .containsEntry("rt/web/server/" + server + "/status/5XX", 1L)
        .containsEntry("rt/web/service/svc/users/status/200", 1L)
        .containsEntry("rt/web/client/$/inet/127.0.0.1/" + users.port() + "/status/2XX", 1L);
  }
}
