package dev.turnout.proxy;

import dev.turnout.dtab.Path;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.proxy.upstream.H2Shadows;
import dev.turnout.proxy.upstream.ShadowStream;
import dev.turnout.proxy.upstream.Sinks;
import dev.turnout.proxy.upstream.UpstreamClient;
import dev.turnout.routing.Endpoint;
import dev.turnout.routing.MirrorRule;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.UndertowClient;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * Dark traffic: a sampled share of a service's requests copied to a shadow destination, as the
 * snapshot's {@code #@mirror} rules say. The copy goes out on its own connection, after the real
 * request has been handed on, and its answer is thrown away when its head arrives; nothing the shadow
 * does can touch the real request. At most {@link #MAX_IN_FLIGHT} copies are out at once per process,
 * and at most as many connection attempts to shadows are pending: a copy's time runs out at the
 * router's request timeout, but an attempt to a host that drops connection attempts cannot be called
 * back and stays pending for minutes. Beyond either limit a copy is dropped and counted.
 *
 * <p>A request with a small body ({@link BufferedBody}: declared {@code Content-Length} up to 64 KiB) is
 * copied with the same bytes and the same {@code Content-Length}, once the real request has read them;
 * the real request never waits for the copy. A sampled request whose body is streamed (chunked or larger)
 * is not copied, since that body is read once, by the real request; it is counted as skipped ({@link
 * ProxyMetrics#shadowSkipped}). Shadow figures are kept apart from real traffic.
 *
 * <p>An h2 router's copies go by HTTP/2 instead ({@link #sendH2}): each a stream on the shadow
 * endpoint's connection, whatever its body, which is streamed to the shadow as the real request reads
 * it, with the caller's trailers; the shadow's answer is read to its end and thrown away, its success
 * told by {@code grpc-status} for gRPC. The same rules, sampling, limit on copies in flight and figures
 * apply.
 */
final class Mirror {
  static final int MAX_IN_FLIGHT = 256;
  private static final byte[] NO_BODY = new byte[0];
  /**
   * Not copied: the dtab headers, {@code Expect}, since the body is sent without waiting, and {@code
   * Via}, which the copy carries extended by this hop's entry as the real request does, so a shadow
   * that points back at this server is refused as a loop rather than copied again.
   */
  private static final Set<HttpString> NOT_COPIED =
      Set.of(L5dHeaders.DTAB, L5dHeaders.CTX_DTAB, Headers.EXPECT, L5dHeaders.VIA);

  private final ProxyMetrics metrics;
  private final H2Shadows shadows;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Connection attempts to shadows not yet answered, whether or not their copies are still out. */
  private final AtomicInteger connecting = new AtomicInteger();

  Mirror(ProxyMetrics metrics, H2Shadows shadows) {
    this.metrics = metrics;
    this.shadows = shadows;
  }

  /**
   * Sends a copy of the request to a shadow when a mirror rule covers its service and the request is
   * sampled. Runs on the exchange's IO thread, after routing, before the request is forwarded.
   */
  void maybeMirror(HttpServerExchange exchange, Routed routed) {
    List<MirrorRule> rules = routed.snapshot().mirrors();
    if (rules.isEmpty()) {
      return;
    }
    Router router = routed.router();
    for (MirrorRule rule : rules) {
      if (rule.covers(routed.service()) && ThreadLocalRandom.current().nextDouble(100) < rule.percent()) {
        if (router.config().h2()) {
          if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            metrics.shadowDropped(router.label());
            return;
          }
          sendH2(exchange, routed, rule.destination());
          return;
        }
        Optional<BufferedBody> body = Optional.empty();
        if (Hop.hasBody(exchange)) {
          body = BufferedBody.of(exchange);
          if (body.isEmpty()) {
            metrics.shadowSkipped(router.label());
            return;
          }
        }
        if (connecting.get() >= MAX_IN_FLIGHT) {
          metrics.shadowDropped(router.label());
          return;
        }
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
          inFlight.decrementAndGet();
          metrics.shadowDropped(router.label());
          return;
        }
        if (body.isEmpty()) {
          send(exchange, routed, rule.destination(), NO_BODY);
          return;
        }
        // The real request reads the body and is told first; the copy follows with the same bytes.
        Path destination = rule.destination();
        body.get().whenRead(bytes -> send(exchange, routed, destination, bytes), inFlight::decrementAndGet);
        return;
      }
    }
  }

  private void send(HttpServerExchange exchange, Routed routed, Path destination, byte[] body) {
    Router router = routed.router();
    TrafficStats stats = metrics.shadow(router.label(), routed.service().show());
    stats.start();
    long start = router.nanos();
    Optional<Shadow> shadow = shadowOf(routed, destination);
    if (shadow.isEmpty()) {
      done(stats, false, "unroutable", start, router);
      return;
    }
    Endpoint endpoint = shadow.get().endpoint();
    if (endpoint.tls().isPresent()) {
      // Copies go by Undertow's plain client: a shadow whose client speaks TLS gets no copy rather than
      // the caller's headers and body in plaintext. Counted as skipped, and as a shadow failure "tls".
      metrics.shadowSkipped(router.label());
      done(stats, false, "tls", start, router);
      return;
    }
    ClientRequest request = head(exchange, routed, shadow.get().target());
    if (body.length > 0) {
      request.getRequestHeaders().put(Headers.CONTENT_LENGTH, body.length);
    }
    request.getRequestHeaders().put(Headers.CONNECTION, "close");
    long timeoutMillis = Math.max(1, router.config().requestTimeout().toMillis());
    // Every callback of this copy runs on the same IO thread, so a plain flag makes "done" happen once.
    boolean[] over = {false};
    java.util.function.BiConsumer<Boolean, String> finish =
        (ok, why) -> {
          if (!over[0]) {
            over[0] = true;
            done(stats, ok, why, start, router);
          }
        };
    // The copy's time runs from before connecting: a shadow host that drops connection attempts would
    // otherwise hold its in-flight slot until the kernel gives up on the connection, minutes later.
    ClientConnection[] open = {null};
    XnioExecutor.Key timer =
        exchange
            .getIoThread()
            .executeAfter(
                () -> {
                  IoUtils.safeClose(open[0]);
                  finish.accept(false, "timeout");
                },
                timeoutMillis,
                TimeUnit.MILLISECONDS);
    // The attempt is counted until its one answer, or until the client refuses to start it.
    boolean[] pending = {true};
    Runnable answered =
        () -> {
          if (pending[0]) {
            pending[0] = false;
            connecting.decrementAndGet();
          }
        };
    Runnable unconnected =
        () -> {
          answered.run();
          timer.remove();
          finish.accept(false, "connect");
        };
    connecting.incrementAndGet();
    try {
      UndertowClient.getInstance()
          .connect(
              new ClientCallback<ClientConnection>() {
                @Override
                public void completed(ClientConnection conn) {
                  answered.run();
                  if (over[0]) {
                    IoUtils.safeClose(conn); // connected after the copy's time ran out
                    return;
                  }
                  open[0] = conn;
                  Runnable reset =
                      () -> {
                        timer.remove();
                        IoUtils.safeClose(conn);
                        finish.accept(false, "reset");
                      };
                  conn.sendRequest(
                      request,
                      new ClientCallback<ClientExchange>() {
                        @Override
                        public void completed(ClientExchange ex) {
                          ex.setResponseListener(
                              new ClientCallback<>() {
                                @Override
                                public void completed(ClientExchange r) {
                                  timer.remove();
                                  IoUtils.safeClose(conn);
                                  int status = r.getResponse().getResponseCode();
                                  finish.accept(status < 500, Integer.toString(status));
                                }

                                @Override
                                public void failed(IOException e) {
                                  reset.run();
                                }
                              });
                          if (body.length == 0) {
                            Sinks.finishWrites(ex.getRequestChannel());
                            return;
                          }
                          Sinks.write(body, ex.getRequestChannel(), e -> reset.run());
                        }

                        @Override
                        public void failed(IOException e) {
                          reset.run();
                        }
                      });
                }

                @Override
                public void failed(IOException e) {
                  unconnected.run();
                }
              },
              UpstreamClient.uri(endpoint),
              exchange.getIoThread(),
              exchange.getConnection().getByteBufferPool(),
              UpstreamClient.OPTIONS);
    } catch (RuntimeException e) {
      // Refused before any attempt began (an address the client cannot use): no answer will come.
      unconnected.run();
    }
  }

  /** Where a copy goes: the destination's target, as routing chooses it, and one of its endpoints. */
  private record Shadow(Route.Target target, Endpoint endpoint) {}

  /** The shadow for {@code destination}, bound through the request's snapshot and local dtab; empty when it does not bind. */
  private static Optional<Shadow> shadowOf(Routed routed, Path destination) {
    Optional<Route.Target> target;
    try {
      target = Router.choose(routed.router().bind(routed.snapshot(), routed.local(), destination).targets());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    return target.flatMap(t -> t.client().pick(List.of()).map(e -> new Shadow(t, e)));
  }

  /**
   * The copy's method, target and headers: the same target the real request goes out with (a path
   * identifier may have consumed segments), the caller's end-to-end headers but {@link #NOT_COPIED}, and
   * this hop's destination, request id and {@code Via} entry.
   */
  private static ClientRequest head(HttpServerExchange exchange, Routed routed, Route.Target shadow) {
    ClientRequest request = new ClientRequest();
    request.setMethod(exchange.getRequestMethod());
    request.setPath(routed.requestTarget());
    HeaderMap h = request.getRequestHeaders();
    Hop.copy(exchange.getRequestHeaders(), h, NOT_COPIED);
    h.put(L5dHeaders.DST_SERVICE, routed.service().show());
    h.put(L5dHeaders.DST_CLIENT, shadow.id());
    h.put(L5dHeaders.REQID, routed.requestId());
    h.put(L5dHeaders.VIA, L5dHeaders.appendVia(exchange.getRequestHeaders().get(L5dHeaders.VIA), routed.via()));
    return request;
  }

  /**
   * An h2 router's copy: a stream of its own on the shadow endpoint's HTTP/2 connection ({@link
   * H2Shadows}), its body shown to it as the real request reads the caller's ({@link BodyTee}), at most
   * {@link ShadowStream#MAX_HELD_BYTES} held while the shadow is slower; past that the copy is dropped,
   * counted in {@code shadow/dropped} and as a shadow failure "slow". It ends when no byte has moved
   * for twice the router's request timeout.
   */
  private void sendH2(HttpServerExchange exchange, Routed routed, Path destination) {
    Router router = routed.router();
    TrafficStats stats = metrics.shadow(router.label(), routed.service().show());
    stats.start();
    long start = router.nanos();
    Optional<Shadow> shadow = shadowOf(routed, destination);
    if (shadow.isEmpty()) {
      done(stats, false, "unroutable", start, router);
      return;
    }
    ClientRequest request = head(exchange, routed, shadow.get().target());
    // HTTP/2 carries no connection headers; TE may only say trailers, which gRPC servers look for
    String te = exchange.getRequestHeaders().getFirst(Headers.TE);
    if (te != null && te.toLowerCase(Locale.ROOT).contains("trailers")) {
      request.getRequestHeaders().put(Headers.TE, "trailers");
    }
    boolean hasBody = Hop.hasBody(exchange);
    if (hasBody && !request.getRequestHeaders().contains(Headers.CONTENT_LENGTH)) {
      // Undertow's HTTP/2 client ends a stream at once unless the head declares a length or chunks;
      // it sends neither header on
      request.getRequestHeaders().put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
    }
    ShadowStream copy =
        new ShadowStream(
            request,
            hasBody,
            exchange.getIoThread(),
            // twice the real call's limit: when it is the caller that is idle, the real call's own
            // timeout passes first and ends the copy as unfinished, not the shadow's fault
            2 * router.config().requestTimeout().toMillis(),
            (ok, why) -> {
              if (ShadowStream.SLOW.equals(why)) {
                metrics.shadowDropped(router.label());
              }
              done(stats, ok, why, start, router);
            });
    if (hasBody) {
      BodyTee.install(exchange, copy);
    }
    shadows.send(shadow.get().endpoint(), exchange.getIoThread(), exchange.getConnection().getByteBufferPool(), copy);
  }

  private void done(TrafficStats stats, boolean ok, String why, long start, Router router) {
    inFlight.decrementAndGet();
    stats.finish(ok, ok ? "" : why, router.nanos() - start);
  }
}
