package dev.turnout.web.overview;

import dev.turnout.web.Chrome;
import java.util.List;

/**
 * The overview: every router, the namespace whose dtab it follows and the version in force, and per
 * service name its destinations with their share, success rate, request rate and latency, and a chart
 * of the last 10 minutes.
 */
public record OverviewPage(Chrome chrome, Traffic traffic) {

  /** The live part of the page, re-rendered every second and pushed over SSE. */
  /** {@code coverage} says what the figures cover when they are a fleet's; empty for one process. */
  public record Traffic(List<RouterCard> routers, String asOf, String coverage) {
    public Traffic {
      routers = List.copyOf(routers);
    }
  }

  /**
   * {@code h2}: an h2 router, whose gRPC calls are judged by {@code grpc-status} (always HTTP 200), and
   * whose failures are named by their gRPC codes.
   */
  public record RouterCard(
      String router, boolean h2, String namespace, long dtabVersion, List<ServiceCard> services) {
    public RouterCard {
      services = List.copyOf(services);
    }
  }

  /** A service name, its totals, its destinations and its chart. */
  public record ServiceCard(String service, Figures totals, List<ClientRow> clients, Chart chart) {
    public ServiceCard {
      clients = List.copyOf(clients);
    }
  }

  /** A destination of a service, and the colour of its line in the chart. */
  public record ClientRow(String client, String share, double sharePercent, Figures figures, String colour) {}

  /**
   * Figures as shown: success rate, request rate, p50 and p99; {@code low} below 95% success; the
   * failures since the start by kind, most first.
   */
  public record Figures(String success, String rate, String p50, String p99, boolean low, List<Failure> failures) {
    public Figures {
      failures = List.copyOf(failures);
    }
  }

  /**
   * Failures of one kind since the start: {@code kind} as counted ({@code grpc-14}, {@code 502},
   * {@code connect}), {@code name} as shown ({@code UNAVAILABLE}, {@code HTTP 502}, {@code connect}).
   */
  public record Failure(String kind, String name, long count) {}
}
