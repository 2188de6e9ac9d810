package dev.turnout.naming.consul;

import dev.turnout.naming.consul.ConsulApi.BadAnswer;
import dev.turnout.naming.consul.ConsulApi.Catalog;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One datacenter's list of services and tags ({@code /v1/catalog/services}, itself a blocking query),
 * which decides which names get a watch of their own: a service (and tag) Consul does not list is Neg
 * without any query, so names made up by callers (every {@code Host} a client sends becomes a name)
 * cost no connection to the agent. A watch waits here until its service is listed, then starts its
 * own blocking queries and keeps them for the namer's life; a service that leaves again is Neg
 * through those queries.
 *
 * <p>Callbacks run one after another on the namer's threads; {@link #waiting} and {@link #known} are
 * guarded by this object's lock because lookups admit watches from other threads.
 */
final class CatalogGate {
  /** A datacenter that keeps failing is asked again at least this often, as a watch is. */
  static final long MAX_BACKOFF_MILLIS = ServiceWatch.MAX_BACKOFF_MILLIS;

  private final ConsulNamer namer;
  private final String dc;
  private final List<ServiceWatch> waiting = new ArrayList<>();
  private Map<String, Set<String>> known;
  private int failures;
  private volatile java.util.concurrent.CompletableFuture<?> inFlight;

  CatalogGate(ConsulNamer namer, String dc) {
    this.namer = namer;
    this.dc = dc;
  }

  void start() {
    query(0);
  }

  /** Stops the query in flight; no other starts after the namer is closed. */
  void cancel() {
    java.util.concurrent.CompletableFuture<?> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
  }

  /** Starts {@code watch} when its service is listed; until then it waits (Neg once the list says so). */
  void admit(ServiceWatch watch) {
    boolean listed;
    synchronized (this) {
      if (known == null || !listed(known, watch)) {
        waiting.add(watch);
        if (known == null) {
          return;
        }
        listed = false;
      } else {
        listed = true;
      }
    }
    if (listed) {
      watch.startQueries();
    } else {
      namer.absent(watch);
    }
  }

  private static boolean listed(Map<String, Set<String>> services, ServiceWatch w) {
    Set<String> tags = services.get(w.key.service());
    return tags != null && w.key.tag().map(tags::contains).orElse(true);
  }

  private void query(long index) {
    if (namer.isClosed()) {
      return;
    }
    java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> sending =
        namer.http().sendAsync(namer.api().services(dc, index), HttpResponse.BodyHandlers.ofByteArray());
    inFlight = sending;
    long sent = System.nanoTime();
    sending.whenCompleteAsync((rsp, err) -> answered(index, sent, rsp, err), namer.threads());
  }

  private void answered(long asked, long sent, HttpResponse<byte[]> rsp, Throwable err) {
    if (namer.isClosed()) {
      return;
    }
    Catalog catalog;
    try {
      if (err != null) {
        throw new BadAnswer(namer.describe(err));
      }
      catalog = namer.api().servicesAnswer(rsp);
    } catch (BadAnswer | RuntimeException bad) {
      failed(bad.getMessage());
      return;
    }
    failures = 0;
    List<ServiceWatch> start = new ArrayList<>();
    List<ServiceWatch> absent;
    synchronized (this) {
      known = catalog.services();
      for (ServiceWatch w : waiting) {
        if (listed(known, w)) {
          start.add(w);
        }
      }
      waiting.removeAll(start);
      absent = List.copyOf(waiting);
    }
    namer.heardCatalog(this);
    for (ServiceWatch w : absent) {
      namer.absent(w);
    }
    for (ServiceWatch w : start) {
      w.startQueries();
    }
    long next = catalog.index() < asked ? 0 : Math.max(catalog.index(), 1);
    if (asked > 0 && next == asked && System.nanoTime() - sent < ServiceWatch.UNHELD_NANOS) {
      // not held by the agent: asking again at once would spin
      namer.later(() -> query(next), ServiceWatch.UNHELD_PAUSE_NANOS, TimeUnit.NANOSECONDS);
    } else {
      query(next);
    }
  }

  private void failed(String why) {
    failures++;
    List<ServiceWatch> stuck;
    synchronized (this) {
      stuck = List.copyOf(waiting);
    }
    namer.failedCatalog(this, why, stuck);
    long ceiling = Math.min(MAX_BACKOFF_MILLIS, ServiceWatch.FIRST_BACKOFF_MILLIS << Math.min(failures, 20));
    long delay = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    namer.later(() -> query(0), delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public String toString() {
    return "services of " + dc;
  }
}
