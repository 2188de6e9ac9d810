package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.metrics.TrafficView;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.web.fleet.Fleet;
import dev.turnout.web.fleet.FleetReport;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fleet report the control plane will not hold is refused with 413 and the reason. */
class FleetReportLimitsTest {
  @TempDir Path dir;
  private JdbcDtabStore store;
  private Javalin app;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(1).open();
    Fleet fleet = new Fleet(store.fleet(), store, Clock.systemUTC(), () -> "127.0.0.1:9990");
    app =
        Javalin.create(config -> FleetApi.register(config, fleet, store.userStore()))
            .start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
    store.close();
  }

  @Test
  void aReportOverOneMebibyteIsRefusedWithItsSize() throws Exception {
    String padded = withServices(1).toJson();
    padded = padded.substring(0, padded.length() - 1) + ",\"padding\":\"" + "x".repeat(1024 * 1024) + "\"}";

    HttpResponse<String> r = post(padded);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("at most 1048576 bytes").contains("this one is " + padded.length() + " bytes");
  }

  @Test
  void aReportWithFiguresOfMoreThanAThousandRoutesIsRefusedWithTheCount() throws Exception {
    HttpResponse<String> r = post(withServices(1001).toJson());

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("at most 1000 routes").contains("this one has 1001");
  }

  @Test
  void aReportOfAThousandRoutesIsTaken() throws Exception {
    String json = withServices(1000).toJson();

    HttpResponse<String> r = post(json);

    assertThat(json.length()).isLessThan(1024 * 1024);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + FleetApi.REPORTS))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static FleetReport withServices(int n) {
    List<TrafficView.ServiceTraffic> services = new ArrayList<>();
    TrafficView.Stats s = new TrafficView.Stats(1, 1, 1, 2, 10, 0, 0);
    for (int i = 0; i < n; i++) {
      services.add(new TrafficView.ServiceTraffic("/svc/s" + i, s, List.of()));
    }
    return new FleetReport("p1", FleetReport.PROXY, "127.0.0.1:1", 0, 0, List.of(),
        List.of(new TrafficView.RouterTraffic("http", "default", 1, services)));
  }
}
