package dev.turnout.naming.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where a Kubernetes API server is and how to talk to it: {@code kubectl proxy} over plain HTTP (as
 * Linkerd 1), or in-cluster over HTTPS with the service account's bearer token (read again for every
 * request, since projected tokens rotate) and CA. Requests go out on the JDK's HTTP client with the
 * namer's own executor: nothing here runs on a caller's thread. Watches are what Linkerd 1 reads: a
 * GET answered with a chunked stream of JSON watch events, one a line, handed on line by line as they
 * arrive (no thread waits on the stream).
 */
final class K8sApi {
  static final java.nio.file.Path SERVICE_ACCOUNT = java.nio.file.Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private final URI base;
  private final Optional<java.nio.file.Path> tokenFile;
  private final HttpClient http;

  private K8sApi(URI base, Optional<java.nio.file.Path> tokenFile, HttpClient http) {
    this.base = base;
    this.tokenFile = tokenFile;
    this.http = http;
  }

  /** {@code kubectl proxy} (or any plain-HTTP API server) at {@code host:port}. */
  static K8sApi plain(String host, int port, ExecutorService executor) {
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    // HTTP/1.1: over plain HTTP the client's default would offer an h2c upgrade kubectl proxy never takes
    HttpClient http =
        HttpClient.newBuilder()
            .executor(executor)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    return new K8sApi(URI.create("http://" + h + ":" + port), Optional.empty(), http);
  }

  /**
   * The API server a pod sees: {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} from {@code env}, the
   * CA and token from {@code accountDir}.
   *
   * @throws IllegalStateException when the environment or the service account files are missing
   */
  static K8sApi inCluster(Map<String, String> env, java.nio.file.Path accountDir, ExecutorService executor) {
    String host = env.get("KUBERNETES_SERVICE_HOST");
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    if (host == null || host.isBlank()) {
      throw new IllegalStateException("io.l5d.k8s inCluster: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)");
    }
    java.nio.file.Path token = accountDir.resolve("token");
    java.nio.file.Path ca = accountDir.resolve("ca.crt");
    if (!Files.isReadable(token) || !Files.isReadable(ca)) {
      throw new IllegalStateException("io.l5d.k8s inCluster: cannot read " + token + " and " + ca);
    }
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    HttpClient http =
        HttpClient.newBuilder()
            .executor(executor)
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(trusting(ca))
            .build();
    return new K8sApi(URI.create("https://" + h + ":" + port), Optional.of(token), http);
  }

  private static SSLContext trusting(java.nio.file.Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("io.l5d.k8s inCluster: cannot read the CA " + caFile + ": " + e.getMessage(), e);
    }
  }

  /** {@code http://localhost:8001}, for the namer's status. */
  String describe() {
    return base.toString();
  }

  /** A GET of {@code pathAndQuery}; the body as text, whatever the status. */
  CompletableFuture<HttpResponse<String>> get(String pathAndQuery) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    bearer().ifPresent(t -> req.header("Authorization", "Bearer " + t));
    return http.sendAsync(req.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** What a watch's stream tells its reader; calls for one stream never overlap. */
  interface Lines {
    /** The server answered 200: events follow. */
    void opened();

    /** One line of the stream (a JSON watch event), without its end of line. */
    void line(String line);

    /** The server answered something else than 200, with this body. */
    void refused(int status, String body);

    /** The stream ended: the server closed it cleanly ({@code why} null) or it broke. */
    void ended(String why);
  }

  /** An open watch; closing it drops the connection and silences its {@link Lines}. */
  interface Stream extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * A GET of {@code pathAndQuery} read as a stream of lines: Kubernetes' watch, served chunked until
   * the server ends it. The request's timeout covers the wait for the status line only.
   */
  Stream watch(String pathAndQuery, Lines lines) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    bearer().ifPresent(t -> req.header("Authorization", "Bearer " + t));
    LineReader reader = new LineReader(lines);
    CompletableFuture<HttpResponse<Void>> sent =
        http.sendAsync(
            req.GET().build(),
            info -> {
              if (info.statusCode() == 200) {
                lines.opened();
                return BodySubscribers.fromLineSubscriber(reader);
              }
              return BodySubscribers.mapping(
                  BodySubscribers.ofString(StandardCharsets.UTF_8),
                  body -> {
                    reader.refused(info.statusCode(), body);
                    return null;
                  });
            });
    sent.whenComplete(
        (resp, err) -> {
          if (err != null) {
            reader.ended(err);
          }
        });
    return () -> {
      reader.close();
      sent.cancel(true);
    };
  }

  /**
   * Hands a stream's lines on until it ends or its watch is closed; says its end once. It holds no
   * lock while calling out, since its reader takes its own lock and may close this from under it.
   */
  private static final class LineReader implements Flow.Subscriber<String> {
    private final Lines lines;
    private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Flow.Subscription subscription;

    LineReader(Lines lines) {
      this.lines = lines;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (done.get()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(String line) {
      if (!done.get() && !line.isBlank()) {
        lines.line(line);
      }
    }

    @Override
    public void onError(Throwable t) {
      ended(t);
    }

    @Override
    public void onComplete() {
      if (done.compareAndSet(false, true)) {
        lines.ended(null);
      }
    }

    void refused(int status, String body) {
      if (done.compareAndSet(false, true)) {
        lines.refused(status, body);
      }
    }

    void ended(Throwable t) {
      if (done.compareAndSet(false, true)) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        lines.ended(c.getMessage() == null ? c.getClass().getSimpleName() : c.getClass().getSimpleName() + ": " + c.getMessage());
      }
    }

    void close() {
      done.set(true);
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  private Optional<String> bearer() {
    if (tokenFile.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(tokenFile.get(), StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
