package dev.turnout.naming.consul;

import dev.turnout.naming.Addr;
import dev.turnout.naming.Var;
import dev.turnout.naming.consul.ConsulApi.Answer;
import dev.turnout.naming.consul.ConsulApi.BadAnswer;
import dev.turnout.naming.consul.ConsulApi.Key;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One watched service: its endpoint variable, handed to every binding of the name for the namer's
 * life, and the chain of blocking queries that keeps it current. Each answer starts the next query
 * with the index it returned, so a change in Consul reaches the variable as soon as the agent answers
 * (never a poll period); no thread waits meanwhile (the JDK client's {@code sendAsync}).
 *
 * <p>A watch whose service the datacenter's catalog does not list sends no query: it waits in the
 * {@link CatalogGate}, Neg, until the service appears.
 *
 * <p>Consul's advice on indexes is followed: an index that goes backwards (a snapshot restored, a
 * server replaced) starts over from 0, one below 1 is taken as 1. An error or an answer Consul could
 * not have meant keeps the last endpoints, reports itself to the namer's status, and is retried after
 * an exponential, jittered backoff (Linkerd's 10 ms to 5 s) with a fresh, non-blocking query. Only a
 * name that never had an answer takes the error as its state, so the proxy's {@code l5d-err} says it.
 *
 * <p>The callbacks of one watch run one after another (each query starts when the previous one has
 * been handled), on the namer's threads, so {@link #asked} and {@link #failures} need no lock.
 */
final class ServiceWatch {
  static final long FIRST_BACKOFF_MILLIS = 10;
  static final long MAX_BACKOFF_MILLIS = 5_000;
  /** An unchanged index answered sooner than this (half the shortest wait) was not held by the agent. */
  static final long UNHELD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** How long the next query then waits, so that such an agent is asked about once a second. */
  static final long UNHELD_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  final Key key;
  final Var<Addr> addr = new Var<>(new Addr.Pending());
  private final ConsulNamer namer;
  private String dc;
  private Optional<String> authority = Optional.empty();
  private int failures;
  private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile CompletableFuture<?> inFlight;

  ServiceWatch(ConsulNamer namer, Key key) {
    this.namer = namer;
    this.key = key;
  }

  /**
   * Watches in datacenter {@code datacenter} ({@code authority} for {@code setHost}) once the
   * datacenter's catalog lists the service.
   */
  void begin(String datacenter, Optional<String> authorityMeta) {
    this.dc = datacenter;
    this.authority = authorityMeta;
    namer.admit(this, datacenter);
  }

  /** Starts the chain of blocking queries, once. */
  void startQueries() {
    if (started.compareAndSet(false, true)) {
      query(0);
    }
  }

  /** Stops the query in flight; no other starts after the namer is closed. */
  void cancel() {
    CompletableFuture<?> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
  }

  private void query(long index) {
    if (namer.isClosed()) {
      return;
    }
    // The client's own future: cancelling it (on close) aborts the exchange, where a stage
    // derived from it would only stop the callback.
    CompletableFuture<HttpResponse<byte[]>> sending =
        namer.http().sendAsync(namer.api().service(key, dc, index), HttpResponse.BodyHandlers.ofByteArray());
    inFlight = sending;
    long sent = System.nanoTime();
    sending.whenCompleteAsync((rsp, err) -> answered(index, sent, rsp, err), namer.threads());
  }

  private void answered(long asked, long sent, HttpResponse<byte[]> rsp, Throwable err) {
    if (namer.isClosed()) {
      return;
    }
    Answer answer;
    try {
      if (err != null) {
        throw new BadAnswer(namer.describe(err));
      }
      answer = namer.api().serviceAnswer(rsp, authority);
    } catch (BadAnswer bad) {
      failed(bad.getMessage());
      return;
    } catch (RuntimeException bug) {
      failed("reading consul's answer failed: " + bug);
      return;
    }
    failures = 0;
    namer.heard(this, answer.addr());
    long next = answer.index();
    if (next < asked) {
      next = 0;
    } else if (next < 1) {
      next = 1;
    }
    next(asked, next, sent);
  }

  /**
   * Blocks on {@code next} at once, unless the agent answered an unchanged index at once: then it did
   * not hold the query (something between strips blocking), and asking again at once would spin.
   */
  private void next(long asked, long next, long sent) {
    if (asked > 0 && next == asked && System.nanoTime() - sent < UNHELD_NANOS) {
      namer.later(() -> query(next), UNHELD_PAUSE_NANOS, TimeUnit.NANOSECONDS);
    } else {
      query(next);
    }
  }

  /** Keeps the endpoints, tells the namer, and asks again after a backoff. */
  void failed(String why) {
    failures++;
    namer.failed(this, why);
    long ceiling = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(failures, 20));
    long delay = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    namer.later(() -> query(0), delay, TimeUnit.MILLISECONDS);
  }

  /** The reason an error means, in words: the cause of an async failure, without wrappers. */
  static String describe(Throwable err, String agent) {
    Throwable e = err;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ConnectException) {
      return "cannot reach consul at " + agent + ": connection refused";
    }
    if (e instanceof HttpTimeoutException) {
      return "consul at " + agent + " did not answer in time";
    }
    if (e instanceof javax.net.ssl.SSLException) {
      return "TLS with consul at " + agent + " failed: " + e.getMessage();
    }
    if (e instanceof java.io.IOException) {
      return "lost consul at " + agent + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return "consul at " + agent + ": " + e;
  }
}
