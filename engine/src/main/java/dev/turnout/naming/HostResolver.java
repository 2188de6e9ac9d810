package dev.turnout.naming;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Host names of {@code /$/inet/HOST/PORT}, resolved as Finagle's {@code AsyncInetResolver} does: never
 * on the thread that binds (an IO thread), the address {@link Addr.Pending} until the first answer,
 * then every address DNS gives, {@link Addr.Neg} for an unknown host, {@link Addr.Failed} for any other
 * error; and resolved again every {@code ttl}, so a moved host is followed without a restart. Finagle
 * takes that period from the JVM's {@code networkaddress.cache.ttl}; so does {@link #ttlFromJvm()},
 * with the JDK's own 30 s for a successful lookup when the property is unset or not positive.
 *
 * <p>One variable per {@code host:port}, shared by everyone who binds it, held in a bounded Caffeine
 * cache by weak reference: it lives as long as a client holds it, and is re-resolved only while it
 * does. Time comes from an injected {@link Ticker}; {@link #refreshDue()} re-resolves what is due (a
 * daemon thread calls it every second in {@link #shared()}; tests call it themselves).
 */
public final class HostResolver {
  /** Looks a host name up; the JDK's resolver in production. */
  @FunctionalInterface
  public interface Dns {
    List<InetAddress> lookup(String host) throws UnknownHostException;
  }

  private record Key(String host, int port) {}

  /** One host:port's variable and when it was last resolved. */
  private final class Entry {
    final Key key;
    final Var<Addr> addr = new Var<>(new Addr.Pending());
    volatile long resolvedAt = Long.MIN_VALUE;
    final AtomicBoolean inFlight = new AtomicBoolean();
    /** Changes seen; the observer that counts them also ties this entry's life to its variable's. */
    volatile int changes;

    Entry(Key key) {
      this.key = key;
      // The cache holds entries weakly and clients hold only the variable: this observer is the
      // variable's reference back to its entry, so the entry (and its refreshing) lasts while it is used.
      addr.observe(a -> changes++);
    }
  }

  private static volatile HostResolver shared;

  private final Dns dns;
  private final Executor executor;
  private final Ticker ticker;
  private final long ttlNanos;
  private final Cache<Key, Entry> entries;

  public HostResolver(Dns dns, Executor executor, Ticker ticker, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, not " + ttl);
    }
    this.dns = Objects.requireNonNull(dns);
    this.executor = Objects.requireNonNull(executor);
    this.ticker = Objects.requireNonNull(ticker);
    this.ttlNanos = ttl.toNanos();
    this.entries = Caffeine.newBuilder().maximumSize(16_000).weakValues().ticker(ticker).build();
  }

  /** The process's resolver: the JDK's DNS on two daemon threads, refreshed every {@link #ttlFromJvm()}. */
  public static HostResolver shared() {
    HostResolver r = shared;
    if (r != null) {
      return r;
    }
    synchronized (HostResolver.class) {
      if (shared == null) {
        ScheduledExecutorService threads =
            Executors.newScheduledThreadPool(
                2,
                task -> {
                  Thread t = new Thread(task, "turnout-dns");
                  t.setDaemon(true);
                  return t;
                });
        HostResolver made =
            new HostResolver(
                host -> List.of(InetAddress.getAllByName(host)), threads, Ticker.systemTicker(), ttlFromJvm());
        threads.scheduleWithFixedDelay(made::refreshDue, 1, 1, TimeUnit.SECONDS);
        shared = made;
      }
      return shared;
    }
  }

  /** {@code networkaddress.cache.ttl} in seconds when set and positive, else 30 s. */
  static Duration ttlFromJvm() {
    try {
      String s = Security.getProperty("networkaddress.cache.ttl");
      if (s != null && Integer.parseInt(s.trim()) > 0) {
        return Duration.ofSeconds(Integer.parseInt(s.trim()));
      }
    } catch (RuntimeException e) {
      // unset or not a number: the default below, as the JDK does
    }
    return Duration.ofSeconds(30);
  }

  /**
   * The live address of {@code host:port}: Pending at first, and resolved on the executor. Never blocks
   * and never asks DNS on the calling thread.
   */
  public Var<Addr> addr(String host, int port) {
    Key key = new Key(host, port);
    Entry e = entries.get(key, Entry::new);
    if (e.resolvedAt == Long.MIN_VALUE) {
      resolve(e);
    }
    return e.addr;
  }

  /** Starts a new lookup of every entry whose last answer is older than the ttl. */
  public void refreshDue() {
    long now = ticker.read();
    for (Entry e : entries.asMap().values()) {
      if (e.resolvedAt != Long.MIN_VALUE && now - e.resolvedAt >= ttlNanos) {
        resolve(e);
      }
    }
  }

  private void resolve(Entry e) {
    if (!e.inFlight.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(() -> lookup(e));
    } catch (RuntimeException rejected) {
      e.inFlight.set(false);
      e.addr.set(new Addr.Failed("could not start a DNS lookup of " + e.key.host() + ": " + rejected));
    }
  }

  private void lookup(Entry e) {
    Addr next;
    try {
      Set<String> seen = new LinkedHashSet<>();
      List<Address> addresses = new ArrayList<>();
      for (InetAddress a : dns.lookup(e.key.host())) {
        if (seen.add(a.getHostAddress())) {
          addresses.add(new Address(a.getHostAddress(), e.key.port()));
        }
      }
      next = addresses.isEmpty() ? new Addr.Neg() : new Addr.Bound(addresses);
    } catch (UnknownHostException unknown) {
      next = new Addr.Neg();
    } catch (RuntimeException other) {
      next = new Addr.Failed("DNS lookup of " + e.key.host() + " failed: " + other);
    }
    e.resolvedAt = ticker.read();
    e.inFlight.set(false);
    e.addr.set(next);
  }
}
