package dev.turnout.bench;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.Headers;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.xnio.Options;

/**
 * The two floors Turnout's proxy stands on, for {@code engine/bench/floor.sh}: what Undertow costs on
 * this machine before Turnout adds anything. Not a test; a process the script starts and kills.
 *
 * <ul>
 *   <li>{@code reply PORT}: Undertow answering every request itself with a fixed 19-byte body, the same
 *       answer the benchmark's nginx backend gives. Set beside nginx answering directly, it shows what
 *       Undertow's server side costs against nginx's, with no proxying at all.
 *   <li>{@code proxy PORT BACKEND_PORT}: Undertow's own {@link ProxyHandler} forwarding to the backend,
 *       with no routing and no metrics. Set beside nginx's proxy and Turnout, it shows how much of
 *       Turnout's figure is Undertow's forwarding and how much Turnout's own work.
 * </ul>
 *
 * <p>Both use as many IO threads as Turnout does by default and {@code TCP_NODELAY}, as Turnout does.
 * The proxy keeps up to 64 backend connections per IO thread and queues up to 4096 requests for one:
 * with Undertow's defaults (no queue) it answers most requests under load with 503, which a benchmark
 * would count as fast answers unless it checked the status.
 */
public final class UndertowFloor {
  private static final int IO_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private UndertowFloor() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("reply")) {
      start(port(args[1]), reply());
    } else if (args.length == 3 && args[0].equals("proxy")) {
      start(port(args[1]), proxy(port(args[2])));
    } else {
      System.err.println("usage: UndertowFloor reply PORT | UndertowFloor proxy PORT BACKEND_PORT");
      System.exit(2);
    }
  }

  private static HttpHandler reply() {
    ByteBuffer body =
        ByteBuffer.allocateDirect(19).put("hello from backend\n".getBytes(StandardCharsets.US_ASCII));
    body.flip();
    return exchange -> {
      exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
      exchange.getResponseSender().send(body.duplicate());
    };
  }

  private static HttpHandler proxy(int backendPort) {
    LoadBalancingProxyClient client =
        new LoadBalancingProxyClient()
            .setConnectionsPerThread(64)
            .setSoftMaxConnectionsPerThread(64)
            .setMaxQueueSize(4096)
            .addHost(URI.create("http://127.0.0.1:" + backendPort));
    return ProxyHandler.builder()
        .setProxyClient(client)
        .setMaxRequestTime(30_000)
        .setNext(ResponseCodeHandler.HANDLE_404)
        .build();
  }

  private static void start(int port, HttpHandler handler) {
    Undertow.builder()
        .setIoThreads(IO_THREADS)
        .setServerOption(Options.TCP_NODELAY, true)
        .setSocketOption(Options.TCP_NODELAY, true)
        .setServerOption(Options.BACKLOG, 1024)
        .addHttpListener(port, "127.0.0.1", handler)
        .build()
        .start();
    System.out.println("listening on 127.0.0.1:" + port);
  }

  private static int port(String text) {
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("not a TCP port: " + text);
    }
    return port;
  }
}
