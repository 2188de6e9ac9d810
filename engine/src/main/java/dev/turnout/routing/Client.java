package dev.turnout.routing;

import dev.turnout.config.ClientConfig;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Var;
import dev.turnout.tls.ClientTls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A bound client ({@code /#/io.l5d.fs/users}): its live endpoint set, read from the bound name's
 * address per request, and the load balancer that picks one endpoint per attempt. Endpoint state
 * (latency, accrual) survives changes of the endpoint set for endpoints that stay.
 *
 * <p>Balancers: {@code ewma} (default) and {@code p2c} pick two endpoints at random in proportion to
 * their weights and take the one with the lower cost (peak EWMA latency times load, or load alone);
 * {@code roundRobin} cycles through endpoints, each appearing in proportion to its weight. Endpoints that
 * failure accrual has ejected are passed over while any other is usable.
 */
public final class Client {
  private final Path id;
  private final Var<Addr> addr;
  private final ClientConfig config;
  private final LongSupplier nanos;
  private final Optional<ClientTls> tls;
  private final AtomicInteger cursor = new AtomicInteger();
  private volatile Members members = new Members(null, List.of(), new double[0], new int[0]);
  private final Map<String, Endpoint> known = new HashMap<>();
  /** Retries of requests that reached no backend, when the client has a {@code requeueBudget}. */
  private final Optional<RetryBudget> requeueBudget;

  /** Endpoints built for one {@link Addr} value, with cumulative weights and a round-robin schedule. */
  /** {@code only}: the one endpoint's answer to {@link #pick}, made once rather than per request. */
  private record Members(
      Addr addr, List<Endpoint> endpoints, double[] cumulative, int[] schedule, Optional<Endpoint> only) {
    Members(Addr addr, List<Endpoint> endpoints, double[] cumulative, int[] schedule) {
      this(addr, endpoints, cumulative, schedule,
          endpoints.size() == 1 ? Optional.of(endpoints.get(0)) : Optional.empty());
    }
  }

  Client(BoundName name, ClientConfig config, LongSupplier nanos) {
    this(name, config, Optional.empty(), nanos);
  }

  /** With {@code tls}, every endpoint of the client is reached over it. */
  Client(BoundName name, ClientConfig config, Optional<ClientTls> tls, LongSupplier nanos) {
    this.tls = tls;
    this.id = name.id();
    this.addr = name.addr();
    this.config = config;
    this.nanos = nanos;
    this.requeueBudget =
        config.requeueBudget().map(b -> new RetryBudget(b.percentCanRetry(), b.minRetriesPerSec(), b.ttl(), nanos));
  }

  public Path id() {
    return id;
  }

  /** This client's settings: the router's {@code client:} block as it applies to this bound id. */
  public ClientConfig config() {
    return config;
  }

  /** The budget for re-sending requests that reached no backend; empty: the service's retry budget. */
  public Optional<RetryBudget> requeueBudget() {
    return requeueBudget;
  }

  /** The endpoints as of now. */
  public List<Endpoint> endpoints() {
    return members().endpoints();
  }

  /** The bound name's address as of now: bound endpoints, or pending, neg or failed (with why). */
  public Addr state() {
    return addr.get();
  }

  /** Runs {@code listener} (on the thread that made the change) whenever the address changes. */
  public AutoCloseable onStateChange(Runnable listener) {
    return addr.observe(a -> listener.run());
  }

  /**
   * True when at least one endpoint can take traffic (none known counts as not usable), or when the
   * address is still pending (a host name not yet resolved): a request waits for it rather than
   * passing the alternative over, as Finagle's binding waits for a pending address.
   */
  public boolean usable() {
    if (addr.get() instanceof Addr.Pending) {
      return true;
    }
    for (Endpoint e : members().endpoints()) {
      if (e.accrual().usable()) {
        return true;
      }
    }
    return false;
  }

  /** The earliest time an ejected endpoint comes back for probing, or {@code Long.MAX_VALUE}. */
  long nextRevival() {
    long next = Long.MAX_VALUE;
    for (Endpoint e : members().endpoints()) {
      long until = e.accrual().ejectedUntil();
      if (until != Long.MIN_VALUE && until < next && !e.accrual().usable()) {
        next = until;
      }
    }
    return next;
  }

  /**
   * An endpoint for the next attempt, avoiding those in {@code tried} while others exist; empty when the
   * client has no endpoints at all.
   */
  public Optional<Endpoint> pick(List<Endpoint> tried) {
    Members m = members();
    List<Endpoint> all = m.endpoints();
    if (all.isEmpty()) {
      return Optional.empty();
    }
    if (all.size() == 1) {
      return m.only();
    }
    if ("roundRobin".equals(config.loadBalancer())) {
      return Optional.of(roundRobin(m, tried));
    }
    Endpoint a = weightedRandom(m, tried);
    Endpoint b = weightedRandom(m, tried);
    for (int i = 0; i < 3 && b == a; i++) {
      b = weightedRandom(m, tried);
    }
    boolean ewma = !"p2c".equals(config.loadBalancer());
    double ca = ewma ? a.ewmaCost() : a.loadCost();
    double cb = ewma ? b.ewmaCost() : b.loadCost();
    return Optional.of(cb < ca ? b : a);
  }

  private Endpoint weightedRandom(Members m, List<Endpoint> tried) {
    List<Endpoint> all = m.endpoints();
    double[] cum = m.cumulative();
    double total = cum[cum.length - 1];
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    Endpoint fallback = null;
    for (int attempt = 0; attempt < 8; attempt++) {
      Endpoint e;
      if (total > 0) {
        double x = rnd.nextDouble(total);
        int i = java.util.Arrays.binarySearch(cum, x);
        i = i >= 0 ? i + 1 : -i - 1;
        e = all.get(Math.min(i, all.size() - 1));
      } else {
        e = all.get(rnd.nextInt(all.size()));
      }
      if (fallback == null) {
        fallback = e;
      }
      if (e.accrual().usable() && !tried.contains(e)) {
        return e;
      }
    }
    for (Endpoint e : all) {
      if (e.accrual().usable() && !tried.contains(e)) {
        return e;
      }
    }
    return fallback;
  }

  private Endpoint roundRobin(Members m, List<Endpoint> tried) {
    int[] schedule = m.schedule();
    List<Endpoint> all = m.endpoints();
    int start = cursor.getAndIncrement();
    for (int i = 0; i < schedule.length; i++) {
      Endpoint e = all.get(schedule[Math.floorMod(start + i, schedule.length)]);
      if (e.accrual().usable() && !tried.contains(e)) {
        return e;
      }
    }
    return all.get(schedule[Math.floorMod(start, schedule.length)]);
  }

  private Members members() {
    Members m = members;
    Addr now = addr.get();
    if (m.addr() == now) {
      return m;
    }
    return rebuild(now);
  }

  /** Runs when the address changes, not per request; the lock only orders concurrent rebuilds. */
  private synchronized Members rebuild(Addr now) {
    if (members.addr() == now) {
      return members;
    }
    List<Address> addresses = now instanceof Addr.Bound b ? b.addresses() : List.of();
    List<Endpoint> endpoints = new ArrayList<>(addresses.size());
    double[] cumulative = new double[addresses.size()];
    double sum = 0;
    for (Address a : addresses) {
      Endpoint e = known.computeIfAbsent(Endpoint.key(a.host(), a.port()), k -> new Endpoint(a, config, tls, nanos));
      e.weight(a.weight());
      cumulative[endpoints.size()] = (sum += a.weight());
      endpoints.add(e);
    }
    known.values().retainAll(endpoints);
    Members next = new Members(now, List.copyOf(endpoints), cumulative, schedule(endpoints));
    members = next;
    return next;
  }

  /** Each endpoint's index repeated in proportion to its weight (at most 100 slots), interleaved. */
  private static int[] schedule(List<Endpoint> endpoints) {
    if (endpoints.isEmpty()) {
      return new int[0];
    }
    double max = 0;
    for (Endpoint e : endpoints) {
      max = Math.max(max, e.weight());
    }
    List<Integer> slots = new ArrayList<>();
    int rounds = max <= 0 ? 1 : (int) Math.min(100, Math.ceil(max / minPositive(endpoints, max)));
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < endpoints.size(); i++) {
        double w = max <= 0 ? 1 : endpoints.get(i).weight() / max * rounds;
        if (r < Math.round(w)) {
          slots.add(i);
        }
      }
    }
    if (slots.isEmpty()) {
      for (int i = 0; i < endpoints.size(); i++) {
        slots.add(i);
      }
    }
    return slots.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double minPositive(List<Endpoint> endpoints, double max) {
    double min = max;
    for (Endpoint e : endpoints) {
      if (e.weight() > 0) {
        min = Math.min(min, e.weight());
      }
    }
    return min;
  }
}
