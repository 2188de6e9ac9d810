package dev.turnout.routing;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.HostConnectionPool;
import dev.turnout.naming.Address;
import dev.turnout.tls.ClientTls;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One backend {@code host:port} of a client, with what balancing needs: requests in flight, a peak
 * EWMA of latency (Finagle's {@code PeakEwma}: a slower response raises it at once, faster ones lower it
 * with a 10 s time constant) and its failure accrual. Its weight comes from the address it was last
 * seen with.
 */
public final class Endpoint {
  private static final double DECAY_NANOS = 10e9;

  private final String host;
  private final int port;
  private final String key;
  private volatile double weight;
  private final FailureAccrual accrual;
  private final HostConnectionPool pool;
  private final Optional<ClientTls> tls;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong ewmaBits = new AtomicLong(Double.doubleToLongBits(0));
  private volatile long ewmaStamp;
  /** Made once, so that a request's figures can name it without allocating a lambda per attempt. */
  private final Supplier<Boolean> ejected = () -> !accrual().usable();

  Endpoint(Address address, ClientConfig client, LongSupplier nanos) {
    this(address, client, Optional.empty(), nanos);
  }

  Endpoint(Address address, ClientConfig client, Optional<ClientTls> tls, LongSupplier nanos) {
    this.tls = tls;
    this.host = address.host();
    this.port = address.port();
    this.key = key(host, port);
    this.weight = address.weight();
    this.accrual = new FailureAccrual(client.failureAccrual(), nanos);
    this.pool = client.hostConnectionPool();
    this.ewmaStamp = nanos.getAsLong();
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** {@code host:port}. */
  public String key() {
    return key;
  }

  static String key(String host, int port) {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  public double weight() {
    return weight;
  }

  void weight(double w) {
    weight = w;
  }

  public FailureAccrual accrual() {
    return accrual;
  }

  /** The connection pool its client asks for ({@code hostConnectionPool}). */
  public HostConnectionPool pool() {
    return pool;
  }

  /**
   * The TLS its client speaks ({@code client.tls}); empty: plaintext. A connection to this endpoint is
   * made with it or not at all, never in plaintext instead.
   */
  public Optional<ClientTls> tls() {
    return tls;
  }

  /** True, when asked, while failure accrual keeps the endpoint out of balancing (for the metrics). */
  public Supplier<Boolean> ejected() {
    return ejected;
  }

  public int inFlight() {
    return inFlight.get();
  }

  void started() {
    inFlight.incrementAndGet();
  }

  void finished() {
    inFlight.decrementAndGet();
  }

  /** Feeds a measured latency into the peak EWMA, measured at {@code now} of the endpoint's clock (its router's). */
  void latency(long latencyNanos, long now) {
    long last = ewmaStamp;
    ewmaStamp = now;
    double sample = latencyNanos;
    long bits;
    double next;
    do {
      bits = ewmaBits.get();
      double prev = Double.longBitsToDouble(bits);
      if (sample > prev) {
        next = sample;
      } else {
        double w = Math.exp(-Math.max(0, now - last) / DECAY_NANOS);
        next = prev * w + sample * (1 - w);
      }
    } while (!ewmaBits.compareAndSet(bits, Double.doubleToLongBits(next)));
  }

  /** Peak-EWMA load: latency estimate times (in flight + 1), per unit of weight; 0 until measured. */
  double ewmaCost() {
    double ewma = Double.longBitsToDouble(ewmaBits.get());
    double w = weight <= 0 ? 1e-9 : weight;
    return ewma * (inFlight.get() + 1) / w;
  }

  /**
   * Least-loaded cost: in flight per unit of weight. Idle endpoints tie at 0, so traffic at low load
   * follows the weighted random choice of candidates.
   */
  double loadCost() {
    double w = weight <= 0 ? 1e-9 : weight;
    return inFlight.get() / w;
  }

  @Override
  public String toString() {
    return key();
  }
}
