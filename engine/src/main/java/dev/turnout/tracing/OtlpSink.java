package dev.turnout.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.util.concurrent.TimeUnit;

/**
 * {@code turnout.otlp}: spans sent as OTLP over HTTP (protobuf) to {@code endpoint} (such as {@code
 * http://127.0.0.1:4318/v1/traces}) by the OpenTelemetry SDK's exporter, through its {@link
 * BatchSpanProcessor}, which queues (2048 spans, dropping beyond) and exports in batches from its own
 * thread. The spans and their attributes are those of {@link ZipkinSink}, with OpenTelemetry's kinds
 * (SERVER, CLIENT), an ERROR status on a failed attempt or a 5XX answer, and the resource {@code
 * service.name=turnout}.
 */
final class OtlpSink implements TraceSink {
  private static final Resource RESOURCE = Resource.getDefault().merge(
      Resource.create(Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), "turnout")));
  private static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("dev.turnout.tracing");

  private final BatchSpanProcessor processor;

  OtlpSink(String endpoint) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build();
    this.processor = BatchSpanProcessor.builder(exporter).setScheduleDelay(500, TimeUnit.MILLISECONDS).build();
  }

  @Override
  public void report(RequestTrace t) {
    String traceId = hex32(t);
    SpanContext server = context(traceId, t.spanId);
    SpanContext parent =
        t.parentId == 0 ? SpanContext.getInvalid() : SpanContext.createFromRemoteParent(
            traceId, TraceContext.hex(t.parentId), TraceFlags.getSampled(), TraceState.getDefault());
    AttributesBuilder attrs =
        Attributes.builder()
            .put("router.label", t.router)
            .put("http.method", t.method)
            .put("http.path", t.path)
            .put("http.status_code", t.status)
            .put("l5d.retries", t.retries());
    putIfSet(attrs, "l5d.service", t.service);
    putIfSet(attrs, "l5d.client", t.client());
    putIfSet(attrs, "l5d.endpoint", t.endpoint());
    long start = t.startMicros * 1000;
    processor.onEnd(
        new OtlpSpan(t.method, SpanKind.SERVER, server, parent, status(t.status >= 500), start,
            start + t.durationNanos, attrs.build(), RESOURCE, SCOPE));
    for (RequestTrace.Attempt a : t.attempts) {
      AttributesBuilder b =
          Attributes.builder()
              .put("router.label", t.router)
              .put("l5d.service", t.service)
              .put("l5d.client", a.client)
              .put("l5d.endpoint", a.endpoint);
      if (a.status != 0) {
        b.put("http.status_code", a.status);
      } else {
        b.put("error", a.failure.isEmpty() ? "failed" : a.failure);
      }
      long aStart = a.startMicros * 1000;
      processor.onEnd(
          new OtlpSpan(t.method, SpanKind.CLIENT, context(traceId, a.spanId), server,
              status(a.status == 0 || a.status >= 500), aStart, aStart + a.durationNanos, b.build(), RESOURCE, SCOPE));
    }
  }

  private static SpanContext context(String traceId, long spanId) {
    return SpanContext.create(traceId, TraceContext.hex(spanId), TraceFlags.getSampled(), TraceState.getDefault());
  }

  private static StatusData status(boolean error) {
    return error ? StatusData.error() : StatusData.unset();
  }

  private static String hex32(RequestTrace t) {
    return TraceContext.hex(t.traceIdHigh) + TraceContext.hex(t.traceId);
  }

  private static void putIfSet(AttributesBuilder b, String key, String value) {
    if (!value.isEmpty()) {
      b.put(key, value);
    }
  }

  @Override
  public void close() {
    processor.shutdown().join(5, TimeUnit.SECONDS);
  }
}
