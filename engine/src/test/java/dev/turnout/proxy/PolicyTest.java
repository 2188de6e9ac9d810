package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.testing.Await;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Linkerd 1's service and client policy keys (io.l5d.static entries, totalTimeoutMs, retries with
 * backoff, requestAttemptTimeoutMs, failure accrual, hostConnectionPool) with real requests through a
 * real proxy to real backends.
 */
class PolicyTest {
  private final TestNamer namer = new TestNamer();
  private final CountDownLatch release = new CountDownLatch(1);
  private final Backend good = Backend.named("good");
  private final Backend held = Backend.heldUntil("held", release);
  private Fixture fx;

  @AfterEach
  void stop() {
    release.countDown();
    if (fx != null) {
      fx.close();
    }
    good.close();
    held.close();
  }

  /** The router "web" routing by {@code dtab}, with the service: and client: blocks given as YAML. */
  private static RouterConfig router(String dtab, String service, String client) {
    RouterConfig read =
        ConfigLoader.parse(
                "routers:\n- protocol: http\n  service: " + service + "\n  client: " + client + "\n",
                Path.of("."), Path.of("data"))
            .routers()
            .get(0);
    return Fixture.withClient(Fixture.withService(Fixture.router(dtab), read.service()), read.client());
  }

  private static String err(HttpResponse<String> r) {
    return URLDecoder.decode(r.headers().firstValue("l5d-err").orElse(""), StandardCharsets.UTF_8);
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String host) {
    return fx.http.sendAsync(
        HttpRequest.newBuilder(fx.uri("/")).header("Host", host).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void eachServiceGetsTheTotalTimeoutOfTheLastStaticEntryMatchingIt() throws Exception {
    fx = new Fixture(router(
        "/svc/* => /$/inet/127.1/" + held.port() + ";",
        "{kind: io.l5d.static, configs: [{prefix: /svc, totalTimeoutMs: 300},"
            + " {prefix: '/svc/{name}', responseClassifier: {kind: io.l5d.http.retryableRead5XX}},"
            + " {prefix: /svc/patient, totalTimeoutMs: 8000}]}",
        "null"));
    CompletableFuture<HttpResponse<String>> patient = getAsync("patient");

    HttpResponse<String> impatient = fx.get("impatient", "/");

    assertThat(impatient.statusCode()).isEqualTo(503);
    assertThat(err(impatient))
        .isEqualTo("exceeded 300.milliseconds to /svc/impatient while waiting for a response for the request,"
            + " including retries (if applicable)");
    assertThat(patient).isNotDone();
    release.countDown();
    assertThat(patient.get().statusCode()).isEqualTo(200);
  }

  @Test
  void aTotalTimeoutSpansRetriesAndItsAttemptsConnectionIsClosed() throws Exception {
    try (ScriptedBackend backend =
        new ScriptedBackend(
            (req, out) -> {
              if (req.connection() == 1 && req.onConnection() == 1) {
                ScriptedBackend.send(out, "HTTP/1.1 500 Bad\r\nContent-Length: 0\r\n\r\n");
              }
              return true; // every later request is never answered
            })) {
      fx = new Fixture(router(
          "/svc/users => /$/inet/127.1/" + backend.port() + ";",
          "{totalTimeoutMs: 500, responseClassifier: {kind: io.l5d.http.retryableRead5XX},"
              + " retries: {backoff: {kind: constant, ms: 100}}}",
          "null"));

      HttpResponse<String> r = fx.get("users", "/");

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(err(r)).startsWith("exceeded 500.milliseconds to /svc/users while waiting");
      assertThat(backend.requests).hasSize(2);
      Await.until("the proxy closes the unanswered attempt's connection", Duration.ofSeconds(5),
          () -> backend.closedByProxy.get() >= 1);
    }
  }

  @Test
  void aRetryWaitsTheConstantBackoffAfterEachFailedAnswer() {
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    try (Backend failing = Backend.start("failing", ex -> {
      arrivals.add(System.nanoTime());
      Backend.respond(ex, 500, "no");
    })) {
      fx = new Fixture(router(
          "/svc/users => /$/inet/127.1/" + failing.port() + ";",
          "{responseClassifier: {kind: io.l5d.http.retryableRead5XX}, retries: {backoff: {kind: constant, ms: 150}}}",
          "null"));

      HttpResponse<String> r = fx.get("users", "/");

      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(arrivals).hasSize(RetryRule.MAX_ATTEMPTS);
      for (int i = 1; i < arrivals.size(); i++) {
        assertThat(Duration.ofNanos(arrivals.get(i) - arrivals.get(i - 1))).isGreaterThanOrEqualTo(Duration.ofMillis(145));
      }
    }
  }

  @Test
  void anAttemptPastItsTimeoutIsRetriedOnAnotherEndpointWhenTheClassifierRetriesIt() {
    namer.set("users", held, good);
    fx = new Fixture(router(
        "/svc/users => /#/io.l5d.fs/users;",
        "{responseClassifier: {kind: io.l5d.http.retryableRead5XX}}",
        "{kind: io.l5d.static, configs: [{prefix: '/#/io.l5d.fs/{service}', requestAttemptTimeoutMs: 200,"
            + " loadBalancer: {kind: roundRobin}, failureAccrual: {kind: none}}]}"),
        namer.interpreter());

    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = fx.get("users", "/");
      assertThat(r.statusCode()).as("l5d-err %s", err(r)).isEqualTo(200);
      assertThat(r.body()).isEqualTo("good");
    }
    assertThat(held.hits.get()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void anAttemptPastItsTimeoutIsAnswered503WhenTheClassifierDoesNotRetryIt() {
    namer.set("users", held);
    fx = new Fixture(router(
        "/svc/users => /#/io.l5d.fs/users;",
        "null",
        "{kind: io.l5d.static, configs: [{prefix: /#/io.l5d.fs, requestAttemptTimeoutMs: 200}]}"),
        namer.interpreter());

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(err(r))
        .isEqualTo("exceeded 200.milliseconds to /#/io.l5d.fs/users while waiting for a response for an"
            + " individual request, excluding retries");
    assertThat(held.hits.get()).isEqualTo(1);
  }

  @Test
  void successRateWindowedTakesAFailingEndpointOutOfRotation() {
    try (Backend bad = Backend.start("bad", ex -> Backend.respond(ex, 500, "bad"))) {
      namer.set("users", bad, good);
      fx = new Fixture(router(
          "/svc/users => /#/io.l5d.fs/users;",
          "null",
          "{loadBalancer: {kind: roundRobin}, failureAccrual: {kind: io.l5d.successRateWindowed,"
              + " successRate: 0.9, window: 10}}"),
          namer.interpreter());
      for (int i = 0; i < 20; i++) {
        fx.advance(Duration.ofMillis(200));
        fx.get("users", "/");
      }
      int badHits = bad.hits.get();

      for (int i = 0; i < 10; i++) {
        fx.advance(Duration.ofMillis(200));
        assertThat(fx.get("users", "/").body()).isEqualTo("good");
      }

      // judged once its window holds 5 requests (Finagle's threshold), all failures: out at the 5th
      assertThat(badHits).isBetween(5, 10);
      assertThat(bad.hits.get()).isEqualTo(badHits);
    }
  }

  @Test
  void aRequestBeyondMaxWaitersFailsFastWith503() throws Exception {
    fx = new Fixture(router(
        "/svc/users => /$/inet/127.1/" + held.port() + ";",
        "null",
        "{hostConnectionPool: {maxSize: 1, maxWaiters: 0}}"));
    CompletableFuture<HttpResponse<String>> first = getAsync("users");
    Await.until("the first request holds the one connection", Duration.ofSeconds(5), () -> held.hits.get() == 1);

    HttpResponse<String> second = fx.get("users", "/");

    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(err(second)).startsWith("too many requests waiting for a connection to 127.0.0.1:" + held.port()
        + " (hostConnectionPool.maxWaiters: 0)");
    assertThat(held.hits.get()).isEqualTo(1);
    release.countDown();
    assertThat(first.get().statusCode()).isEqualTo(200);
  }
}
