package dev.turnout.tracing;

import dev.turnout.config.TracingConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides which requests are followed, and hands each followed one, when it ends, to the span
 * exporters and the recent-requests panel.
 *
 * <p><b>Sampling</b>, per request, when it arrives: a caller that decided ({@code traceparent}'s flag,
 * or {@code l5d-ctx-trace}'s sampling-known and debug flags) is followed or not as it says; otherwise
 * Linkerd's {@code l5d-sample} header (a rate from 0 to 1) or, without one, the exporters' {@code
 * sampleRate} (the largest, when several are configured: every exporter gets every traced request)
 * decides by chance. {@code traceparent} is read before {@code l5d-ctx-trace} when both came. The
 * recent-requests panel samples with its own rate, apart from tracing. A request that neither picks
 * costs a few header reads and one random number; no object is made for it, and its headers go upstream
 * as they came.
 */
public final class Tracing implements AutoCloseable {
  private static final Tracing OFF = new Tracing(List.of(), 0, null, 0, Clock.systemUTC());

  private final List<TraceSink> sinks;
  private final double sampleRate;
  private final RecentRequests recent;
  private final double recentRate;
  private final Clock clock;

  Tracing(List<TraceSink> sinks, double sampleRate, RecentRequests recent, double recentRate, Clock clock) {
    this.sinks = List.copyOf(sinks);
    this.sampleRate = sampleRate;
    this.recent = recent;
    this.recentRate = recentRate;
    this.clock = clock;
  }

  /** Follows nothing. */
  public static Tracing off() {
    return OFF;
  }

  /** Starts the exporters {@code config} names (their threads start with their first span). */
  public static Tracing start(TracingConfig config) {
    if (config.zipkin().isEmpty() && config.otlp().isEmpty() && config.recentRequests().isEmpty()) {
      return OFF;
    }
    List<TraceSink> sinks = new ArrayList<>();
    double rate = 0;
    for (TracingConfig.Zipkin z : config.zipkin()) {
      sinks.add(new ZipkinSink(z.host(), z.port()));
      rate = Math.max(rate, z.sampleRate());
    }
    for (TracingConfig.Otlp o : config.otlp()) {
      sinks.add(new OtlpSink(o.endpoint()));
      rate = Math.max(rate, o.sampleRate());
    }
    RecentRequests recent = config.recentRequests().map(r -> new RecentRequests(r.capacity())).orElse(null);
    double recentRate = config.recentRequests().map(TracingConfig.RecentRequests::sampleRate).orElse(0.0);
    return new Tracing(sinks, rate, recent, recentRate, Clock.systemUTC());
  }

  /** Whether any request may be followed: when false, {@link #begin} need not be asked. */
  public boolean on() {
    return !sinks.isEmpty() || recent != null;
  }

  /** The recent-requests panel's entries, when {@code io.l5d.recentRequests} is configured. */
  public Optional<RecentRequests> recent() {
    return Optional.ofNullable(recent);
  }

  /**
   * A request arrives at {@code router}: its trace when it is followed, else null. The header values
   * are as the caller sent them (null when absent); {@code l5dCtxTrace} is null on a server that clears
   * the caller's context.
   */
  public RequestTrace begin(
      String router, String method, String path, String traceparent, String l5dCtxTrace, String l5dSample) {
    Optional<TraceContext> in =
        traceparent != null || l5dCtxTrace != null
            ? TraceContext.fromTraceparent(traceparent).or(() -> TraceContext.fromL5d(l5dCtxTrace))
            : Optional.empty();
    boolean traced = !sinks.isEmpty() && sampled(in, l5dSample);
    boolean listed = recent != null && (recentRate >= 1 || ThreadLocalRandom.current().nextDouble() < recentRate);
    if (!traced && !listed) {
      return null;
    }
    long high;
    long low;
    long parent;
    if (in.isPresent()) {
      high = in.get().traceIdHigh();
      low = in.get().traceId();
      parent = in.get().spanId();
    } else {
      high = newId();
      low = newId();
      parent = 0;
    }
    return new RequestTrace(this, traced, listed, router, method, path, high, low, parent);
  }

  private boolean sampled(Optional<TraceContext> in, String l5dSample) {
    if (in.isPresent() && in.get().sampled().isPresent()) {
      return in.get().sampled().get();
    }
    double rate = sampleRate;
    if (l5dSample != null) {
      try {
        double asked = Double.parseDouble(l5dSample.trim());
        if (asked >= 0 && asked <= 1) {
          rate = asked;
        }
      } catch (NumberFormatException e) {
        // not a rate: the configured one holds
      }
    }
    return rate >= 1 || (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate);
  }

  void finished(RequestTrace t) {
    if (t.traced) {
      for (TraceSink s : sinks) {
        s.report(t);
      }
    }
    if (t.recent) {
      recent.add(
          new RecentRequests.Entry(
              Instant.ofEpochSecond(0, t.startMicros * 1000), t.router, t.method, t.path, t.service, t.client(),
              t.endpoint(), t.status, t.durationNanos / 1e6, t.retries()));
    }
  }

  long epochMicros() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  /** A new span or trace id: random, never 0. */
  static long newId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return id;
  }

  /** Sends what the exporters hold (waiting a little) and stops them. */
  @Override
  public void close() {
    sinks.forEach(TraceSink::close);
  }
}
