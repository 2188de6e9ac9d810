package dev.turnout.tracing;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.reporter.AsyncReporter;
import zipkin2.reporter.SpanBytesEncoder;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * {@code io.l5d.zipkin}: Zipkin v2 spans in JSON, POSTed to {@code http://host:port/api/v2/spans} by
 * Zipkin's own {@link AsyncReporter}, which queues spans (bounded by bytes, dropping beyond) and sends
 * them in batches from its own thread, at least once a second.
 *
 * <p>A request is a SERVER span named for its method, whose local service is the router's label; each
 * attempt a CLIENT span, its child, whose remote service is the bound client and remote address the
 * endpoint. Tags: {@code router.label}, {@code l5d.service}, {@code l5d.client}, {@code l5d.endpoint},
 * {@code http.method}, {@code http.path}, {@code http.status_code}, {@code l5d.retries}, and {@code
 * error} on an attempt that got no answer.
 */
final class ZipkinSink implements TraceSink {
  private final URLConnectionSender sender;
  private final AsyncReporter<Span> reporter;

  ZipkinSink(String host, int port) {
    this.sender = URLConnectionSender.create("http://" + hostPart(host) + ":" + port + "/api/v2/spans");
    this.reporter =
        AsyncReporter.builder(sender).messageTimeout(500, TimeUnit.MILLISECONDS).build(SpanBytesEncoder.JSON_V2);
  }

  private static String hostPart(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  @Override
  public void report(RequestTrace t) {
    Endpoint local = Endpoint.newBuilder().serviceName(t.router).build();
    Span.Builder server =
        Span.newBuilder()
            .traceId(t.traceIdHigh, t.traceId)
            .id(t.spanId)
            .kind(Span.Kind.SERVER)
            .name(t.method.toLowerCase(Locale.ROOT))
            .localEndpoint(local)
            .timestamp(t.startMicros)
            .duration(Math.max(1, t.durationNanos / 1000))
            .putTag("router.label", t.router)
            .putTag("http.method", t.method)
            .putTag("http.path", t.path)
            .putTag("http.status_code", Integer.toString(t.status))
            .putTag("l5d.retries", Integer.toString(t.retries()));
    if (t.parentId != 0) {
      server.parentId(t.parentId);
    }
    tagIfSet(server, "l5d.service", t.service);
    tagIfSet(server, "l5d.client", t.client());
    tagIfSet(server, "l5d.endpoint", t.endpoint());
    reporter.report(server.build());
    for (RequestTrace.Attempt a : t.attempts) {
      Span.Builder client =
          Span.newBuilder()
              .traceId(t.traceIdHigh, t.traceId)
              .id(a.spanId)
              .parentId(t.spanId)
              .kind(Span.Kind.CLIENT)
              .name(t.method.toLowerCase(Locale.ROOT))
              .localEndpoint(local)
              .remoteEndpoint(remote(a))
              .timestamp(a.startMicros)
              .duration(Math.max(1, a.durationNanos / 1000))
              .putTag("router.label", t.router)
              .putTag("l5d.service", t.service)
              .putTag("l5d.client", a.client)
              .putTag("l5d.endpoint", a.endpoint);
      if (a.status != 0) {
        client.putTag("http.status_code", Integer.toString(a.status));
      } else {
        client.putTag("error", a.failure.isEmpty() ? "failed" : a.failure);
      }
      reporter.report(client.build());
    }
  }

  private static void tagIfSet(Span.Builder b, String key, String value) {
    if (!value.isEmpty()) {
      b.putTag(key, value);
    }
  }

  /** The endpoint {@code host:port} as Zipkin's remote endpoint, named for the bound client. */
  private static Endpoint remote(RequestTrace.Attempt a) {
    Endpoint.Builder b = Endpoint.newBuilder().serviceName(a.client);
    int colon = a.endpoint.lastIndexOf(':');
    if (colon > 0) {
      b.ip(a.endpoint.substring(0, colon).replace("[", "").replace("]", ""));
      try {
        b.port(Integer.parseInt(a.endpoint.substring(colon + 1)));
      } catch (NumberFormatException e) {
        // no port to give
      }
    }
    return b.build();
  }

  @Override
  public void close() {
    reporter.flush();
    reporter.close();
    sender.close();
  }
}
