package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.turnout.config.TracingConfig;
import dev.turnout.testing.Await;
import dev.turnout.tracing.RecentRequests;
import dev.turnout.tracing.TraceContext;
import dev.turnout.tracing.Tracing;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TracingTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private final Backend users = Backend.named("users");
  private Fixture fx;
  private Tracing tracing;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    if (tracing != null) {
      tracing.close();
    }
    users.close();
  }

  private RouterConfigs routes() {
    return new RouterConfigs("/svc/users => /$/inet/127.0.0.1/" + users.port() + ";");
  }

  private record RouterConfigs(String dtab) {}

  private void start(TracingConfig config) {
    tracing = Tracing.start(config);
    fx = new Fixture(Fixture.router(routes().dtab()), tracing);
  }

  @Test
  void zipkinGetsAServerSpanContinuingTheCallersTraceAndAnAttemptSpanUnderIt() throws Exception {
    try (ZipkinServer zipkin = ZipkinServer.start()) {
      start(new TracingConfig(List.of(new TracingConfig.Zipkin("127.0.0.1", zipkin.port(), 0.0)), List.of(),
          Optional.empty()));

      fx.get("users", "/hello", "traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01");

      Await.until("Zipkin has both spans", Duration.ofSeconds(30), () -> zipkin.trace(TRACE).size() == 2);
      Map<String, JsonNode> byKind = StreamSupport.stream(zipkin.trace(TRACE).spliterator(), false)
          .collect(Collectors.toMap(s -> s.get("kind").asText(), s -> s));
      JsonNode server = byKind.get("SERVER");
      JsonNode client = byKind.get("CLIENT");
      assertThat(server.get("parentId").asText()).isEqualTo(CALLER_SPAN);
      assertThat(client.get("parentId").asText()).isEqualTo(server.get("id").asText());
      assertThat(server.get("localEndpoint").get("serviceName").asText()).isEqualTo("web");
      assertThat(server.get("tags").get("l5d.service").asText()).isEqualTo("/svc/users");
      assertThat(server.get("tags").get("http.status_code").asText()).isEqualTo("200");
      assertThat(server.get("tags").get("l5d.retries").asText()).isEqualTo("0");
      assertThat(client.get("tags").get("l5d.client").asText()).isEqualTo("/$/inet/127.0.0.1/" + users.port());
      assertThat(client.get("tags").get("l5d.endpoint").asText()).isEqualTo("127.0.0.1:" + users.port());
      assertThat(client.get("remoteEndpoint").get("port").asInt()).isEqualTo(users.port());
      // the backend's parent is the attempt's span, in both encodings
      assertThat(users.lastHeaders.get("traceparent"))
          .isEqualTo("00-" + TRACE + "-" + client.get("id").asText() + "-01");
      TraceContext l5d = TraceContext.fromL5d(users.lastHeaders.get("l5d-ctx-trace")).orElseThrow();
      assertThat(TraceContext.fromTraceparent(users.lastHeaders.get("traceparent"))).contains(l5d);
      tracing.close(); // while Zipkin still listens
      tracing = null;
    }
  }

  @Test
  void aRequestTheCallerDidNotSampleGoesOnWithItsHeadersAsTheyCame() {
    start(new TracingConfig(List.of(new TracingConfig.Zipkin("127.0.0.1", 9, 1.0)), List.of(), Optional.empty()));
    String unsampled = "00-" + TRACE + "-" + CALLER_SPAN + "-00";

    fx.get("users", "/", "traceparent", unsampled);

    assertThat(users.lastHeaders.get("traceparent")).isEqualTo(unsampled);
    assertThat(users.lastHeaders).doesNotContainKey("l5d-ctx-trace");
  }

  @Test
  void otlpGetsTheSameSpansWithParentsAndAttributes() throws Exception {
    List<Span> received = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/v1/traces", ex -> {
      ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes());
      req.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> received.addAll(ss.getSpansList())));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    receiver.start();
    try {
      String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
      start(new TracingConfig(List.of(), List.of(new TracingConfig.Otlp(endpoint, 0.0)), Optional.empty()));
      String callerTrace = new TraceContext(0, 0x1234L, 0x77L, Optional.of(true)).l5dCtxTrace();

      fx.get("users", "/", "l5d-ctx-trace", callerTrace);

      Await.until("the receiver has both spans", Duration.ofSeconds(20), () -> received.size() == 2);
      Span server = received.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
      Span client = received.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
      HexFormat hex = HexFormat.of();
      assertThat(hex.formatHex(server.getTraceId().toByteArray())).isEqualTo("0000000000000000" + "0000000000001234");
      assertThat(hex.formatHex(server.getParentSpanId().toByteArray())).isEqualTo("0000000000000077");
      assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
      assertThat(attributes(server)).containsEntry("l5d.service", "/svc/users").containsEntry("router.label", "web");
      assertThat(attributes(client)).containsEntry("l5d.endpoint", "127.0.0.1:" + users.port());
    } finally {
      receiver.stop(0);
    }
  }

  private static Map<String, String> attributes(Span s) {
    return s.getAttributesList().stream()
        .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().hasStringValue()
            ? kv.getValue().getStringValue() : Long.toString(kv.getValue().getIntValue())));
  }

  @Test
  void recentRequestsKeepTheLastSampledRequestsNewestFirstWithWhereEachWent() {
    start(new TracingConfig(List.of(), List.of(), Optional.of(new TracingConfig.RecentRequests(1.0, 2))));

    fx.get("users", "/one");
    fx.get("users", "/two");
    fx.get("nobody", "/three");

    RecentRequests recent = tracing.recent().orElseThrow();
    Await.until("three requests are listed", Duration.ofSeconds(5), () -> recent.latest().size() == 2
        && recent.latest().get(0).path().equals("/three"));
    List<RecentRequests.Entry> latest = recent.latest();
    assertThat(latest.get(0).status()).isEqualTo(502);
    assertThat(latest.get(0).service()).isEqualTo("/svc/nobody");
    assertThat(latest.get(1).path()).isEqualTo("/two");
    assertThat(latest.get(1).client()).isEqualTo("/$/inet/127.0.0.1/" + users.port());
    assertThat(latest.get(1).endpoint()).isEqualTo("127.0.0.1:" + users.port());
    assertThat(latest.get(1).status()).isEqualTo(200);
    // recent requests alone put no trace headers on a request
    assertThat(users.lastHeaders).doesNotContainKeys("traceparent", "l5d-ctx-trace");
  }
}
