package dev.turnout.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turnout's figures under the names and shapes Linkerd 1's {@code io.l5d.prometheus} telemeter serves
 * (since 1.0), so a Linkerd dashboard or alert rule reads them unchanged. Linkerd flattens its stats
 * tree with colons and lifts the router, the service name and the bound client into labels:
 *
 * <pre>
 * rt:service:requests{rt="web",service="svc/users"} 12
 * rt:client:request_latency_ms{rt="web",client="#/io.l5d.fs/users",quantile="0.99"} 4.1
 * rt:client:service:success{rt="web",client="#/io.l5d.fs/users",service="svc/users"} 11
 * rt:service:failures{rt="web",service="svc/users",exception="connect"} 1
 * </pre>
 *
 * <p>Label values are paths without their leading slash, as Linkerd's router scopes them ({@code
 * svc/users}, not {@code /svc/users}). A latency stat is a summary: {@code _count}, {@code _sum}, an
 * {@code _avg} series, and quantiles 0 (least), 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999 and 1 (greatest),
 * in milliseconds over the last ten seconds (Linkerd's cover its snapshot interval, a minute by
 * default); a stat with no request in that window is left out, as Linkerd leaves out an empty one. On
 * {@code failures}, the sample without an {@code exception} label is the total and each labelled one
 * counts one of Turnout's failure classes ({@code connect}, {@code timeout}, {@code reset}, {@code
 * unroutable}, {@code cancelled}, or the status code of a response classified as a failure), where
 * Linkerd names a JVM exception class.
 *
 * <p>Served: per router, service name, bound client, client-per-service and router server ({@code
 * rt:server:requests{rt="web",server="127.0.0.1/4140"}}: every request the server took, refused ones
 * too), {@code requests}, {@code success}, {@code failures}, {@code pending}, {@code
 * request_latency_ms}, {@code status:<code>} and {@code status:<N>XX} (a service's and a server's by the
 * status the caller got, a client's by the status of each answer taken from it, retried ones too), and
 * {@code retries:total} per service. A server's request fails when its answer is a 5XX, as Linkerd's
 * default classifier has it; its failures' {@code exception} label is that status. Left out, since
 * Turnout records nothing they could come from: {@code connections}, {@code connects}, byte counts, {@code
 * retries:per_request}, {@code retries:budget*}, {@code retries:requeues}, load balancer, failure
 * accrual and {@code jvm:*} series. Turnout's own figures without a Linkerd name (endpoints, mirrored
 * traffic, dtab versions, windowed rates) are on {@code /metrics} only.
 *
 * <p>Unlike Linkerd's output, each family comes once, whole, after a {@code # HELP} and a {@code # TYPE}
 * line, and label values are escaped as the text format says ({@code \\}, {@code \"}, {@code \n}); the
 * series and their values are the same.
 */
public final class LinkerdPrometheus {
  private static final String[] QUANTILES = {"0", "0.5", "0.9", "0.95", "0.99", "0.999", "0.9999", "1"};
  private final ProxyMetrics metrics;
  private final String prefix;

  /** Renders {@code metrics}' figures with {@code prefix} before every name, as Linkerd's {@code prefix:}. */
  public LinkerdPrometheus(ProxyMetrics metrics, String prefix) {
    this.metrics = metrics;
    this.prefix = prefix;
  }

  /** The text a scrape gets: empty before any request. */
  public String scrape() {
    Families out = new Families(prefix);
    metrics.forEachScope(
        new ProxyMetrics.Scopes() {
          @Override
          public void service(String router, String service, TrafficStats t) {
            String labels = label("rt", router) + "," + label("service", strip(service));
            stack(out, "rt:service:", "a service name", labels, t);
            out.counter("rt:service:retries:total", "Retries of requests to a service name", labels, t.retries());
          }

          @Override
          public void client(String router, String client, TrafficStats t) {
            stack(out, "rt:client:", "a bound client", label("rt", router) + "," + label("client", strip(client)), t);
          }

          @Override
          public void clientService(String router, String client, String service, TrafficStats t) {
            String labels =
                label("rt", router) + "," + label("client", strip(client)) + "," + label("service", strip(service));
            stack(out, "rt:client:service:", "a bound client for one service name", labels, t);
          }

          @Override
          public void server(String router, String server, TrafficStats t) {
            String labels = label("rt", router) + "," + label("server", server);
            stack(out, "rt:server:", "a router server", labels, t);
          }
        });
    return out.text();
  }

  /** The figures Linkerd's StatsFilter keeps in every scope: requests, outcomes, pending, latency. */
  private static void stack(Families out, String scope, String of, String labels, TrafficStats t) {
    out.counter(scope + "requests", "Finished requests to " + of, labels, t.requests());
    out.counter(scope + "success", "Requests to " + of + " that succeeded", labels, t.successes());
    String failures = scope + "failures";
    String failuresHelp =
        "Requests to " + of + " that failed: without an exception label the total, with one the failures"
            + " of that class";
    out.counter(failures, failuresHelp, labels, t.failures());
    t.failuresByClass()
        .forEach((cls, n) -> out.counter(failures, failuresHelp, labels + "," + label("exception", cls), n));
    t.statuses().byCode().forEach((code, n) ->
        out.counter(scope + "status:" + code, "Responses with status " + code + " of " + of, labels, n));
    t.statuses().byClass().forEach((cls, n) ->
        out.counter(scope + "status:" + cls, "Responses with a status in " + cls + " of " + of, labels, n));
    out.gauge(scope + "pending", "Requests to " + of + " started and not yet finished", labels, t.inFlight());
    TrafficStats.Summary s = t.summary();
    if (s.count() > 0) {
      String latency = scope + "request_latency_ms";
      String help = "Latency of requests to " + of + " in milliseconds, over the last 10 seconds";
      double[] values = {s.minMillis(), s.p50(), s.p90(), s.p95(), s.p99(), s.p999(), s.p9999(), s.maxMillis()};
      for (int i = 0; i < QUANTILES.length; i++) {
        out.summary(latency, help, latency, labels + "," + label("quantile", QUANTILES[i]), format(values[i]));
      }
      out.summary(latency, help, latency + "_sum", labels, format(s.sumMillis()));
      out.summary(latency, help, latency + "_count", labels, Long.toString(s.count()));
      out.gauge(latency + "_avg", "Mean latency of requests to " + of + " in milliseconds, over the last 10 seconds",
          labels, s.sumMillis() / s.count());
    }
  }

  /** The families of one scrape in the order first met, each with its samples. */
  private static final class Families {
    private final String prefix;
    private final Map<String, Family> byName = new LinkedHashMap<>();

    Families(String prefix) {
      this.prefix = prefix;
    }

    void counter(String name, String help, String labels, long value) {
      family(name, "counter", help).add(name, labels, Long.toString(value));
    }

    void gauge(String name, String help, String labels, double value) {
      family(name, "gauge", help).add(name, labels, format(value));
    }

    void summary(String name, String help, String sample, String labels, String value) {
      family(name, "summary", help).add(sample, labels, value);
    }

    private Family family(String name, String type, String help) {
      return byName.computeIfAbsent(name, n -> new Family(metricName(prefix + n), type, help));
    }

    /** Each family whole after its help and type; the prefix goes before a sample's whole name. */
    String text() {
      StringBuilder sb = new StringBuilder();
      for (Family f : byName.values()) {
        sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
        sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
        for (String[] s : f.samples) {
          sb.append(metricName(prefix + s[0])).append('{').append(s[1]).append("} ").append(s[2]).append('\n');
        }
      }
      return sb.toString();
    }
  }

  private static final class Family {
    final String name;
    final String type;
    final String help;
    final List<String[]> samples = new ArrayList<>();

    Family(String name, String type, String help) {
      this.name = name;
      this.type = type;
      this.help = help;
    }

    void add(String sample, String labels, String value) {
      samples.add(new String[] {sample, labels, value});
    }
  }

  /**
   * Linkerd's rule for names: every character but letters, digits and colons becomes an underscore
   * (so a prefix {@code linkerd-} reads {@code linkerd_}).
   */
  static String metricName(String name) {
    return name.replaceAll("[^a-zA-Z0-9:]", "_");
  }

  static String label(String name, String value) {
    return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }

  private static String strip(String path) {
    return path.startsWith("/") ? path.substring(1) : path;
  }

  /** Whole numbers without a fraction, as Linkerd prints its integral stats; others as Java prints them. */
  static String format(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
