package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a router talks to the endpoints of a bound client. The components apply to a client no entry
 * matches (defaults, or the keys of {@code io.l5d.global}); {@code configs} are the {@code
 * io.l5d.static} entries, applied over them in order to a client whose bound id ({@code
 * /#/io.l5d.fs/users}, {@code /$/inet/127.1/8080}) their prefix matches ({@link #forClient}).
 *
 * @param connectTimeout Turnout's own: how long a connection may take to open
 * @param requestAttemptTimeout how long one attempt may wait for its answer's head; empty: unbounded
 * @param failFast Linkerd's {@code failFast}; Turnout takes an endpoint out at its first refused
 *     connection whatever it says (see docs/linkerd-compatibility.md)
 * @param requeueBudget the budget of retries of requests that never reached a backend; empty: they
 *     draw on the service's retry budget
 * @param tls Linkerd's {@code client.tls}: of the global block, or, after {@link #forClient}, the one
 *     the client's entries leave in force with their captures filled in; empty or disabled: plaintext
 * @param h2 the HTTP/2 settings an h2 router's client announces upstream (its global block's keys)
 */
public record ClientConfig(
    FailureAccrualConfig failureAccrual,
    String loadBalancer,
    Duration connectTimeout,
    Optional<Duration> requestAttemptTimeout,
    HostConnectionPool hostConnectionPool,
    boolean failFast,
    Optional<RetryBudgetConfig> requeueBudget,
    List<Entry> configs,
    Optional<ClientTlsConfig> tls,
    H2ClientSettings h2) {

  public ClientConfig {
    configs = List.copyOf(configs);
    if (h2 == null) {
      throw new IllegalArgumentException("h2 is H2ClientSettings.DEFAULT when not configured, not null");
    }
    if (tls == null) {
      throw new IllegalArgumentException("tls is Optional.empty() for plaintext, not null");
    }
    if (!List.of("ewma", "p2c", "roundRobin").contains(loadBalancer)) {
      throw new IllegalArgumentException("loadBalancer: must be ewma, p2c or roundRobin, not " + loadBalancer);
    }
  }

  /** A client block with the default HTTP/2 settings. */
  public ClientConfig(
      FailureAccrualConfig failureAccrual,
      String loadBalancer,
      Duration connectTimeout,
      Optional<Duration> requestAttemptTimeout,
      HostConnectionPool hostConnectionPool,
      boolean failFast,
      Optional<RetryBudgetConfig> requeueBudget,
      List<Entry> configs,
      Optional<ClientTlsConfig> tls) {
    this(failureAccrual, loadBalancer, connectTimeout, requestAttemptTimeout, hostConnectionPool, failFast,
        requeueBudget, configs, tls, H2ClientSettings.DEFAULT);
  }

  /** A plaintext client block: every key but TLS. */
  public ClientConfig(
      FailureAccrualConfig failureAccrual,
      String loadBalancer,
      Duration connectTimeout,
      Optional<Duration> requestAttemptTimeout,
      HostConnectionPool hostConnectionPool,
      boolean failFast,
      Optional<RetryBudgetConfig> requeueBudget,
      List<Entry> configs) {
    this(failureAccrual, loadBalancer, connectTimeout, requestAttemptTimeout, hostConnectionPool, failFast,
        requeueBudget, configs, Optional.empty());
  }

  /** A global plaintext client block with only these keys set. */
  public ClientConfig(FailureAccrualConfig failureAccrual, String loadBalancer, Duration connectTimeout) {
    this(failureAccrual, loadBalancer, connectTimeout, Optional.empty(), HostConnectionPool.DEFAULT, false,
        Optional.empty(), List.of());
  }

  /** The same block with {@code tls}. */
  public ClientConfig withTls(Optional<ClientTlsConfig> newTls) {
    return new ClientConfig(failureAccrual, loadBalancer, connectTimeout, requestAttemptTimeout,
        hostConnectionPool, failFast, requeueBudget, configs, newTls, h2);
  }

  /** The same block announcing {@code settings} upstream over HTTP/2. */
  public ClientConfig withH2(H2ClientSettings settings) {
    return new ClientConfig(failureAccrual, loadBalancer, connectTimeout, requestAttemptTimeout,
        hostConnectionPool, failFast, requeueBudget, configs, tls, settings);
  }

  /** The same block speaking plaintext everywhere: no {@code tls}, nor any in its entries. */
  public ClientConfig plaintext() {
    List<Entry> entries = configs.stream()
        .map(e -> new Entry(e.prefix(), e.failureAccrual(), e.loadBalancer(), e.connectTimeout(),
            e.requestAttemptTimeout(), e.hostConnectionPool(), e.failFast(), e.requeueBudget(), Optional.empty()))
        .toList();
    return new ClientConfig(failureAccrual, loadBalancer, connectTimeout, requestAttemptTimeout, hostConnectionPool,
        failFast, requeueBudget, entries, Optional.empty(), h2);
  }

  /**
   * What applies to the client {@code id}: this block with every entry whose prefix matches it applied
   * in order, a later entry's keys replacing an earlier one's; without entries left over. As in
   * Linkerd, an entry's {@code tls} replaces the earlier block whole (keys are not merged), with the
   * captures of that entry's prefix filled in; one with {@code enabled: false} turns TLS off.
   */
  public ClientConfig forClient(Path id) {
    ClientConfig c = new ClientConfig(failureAccrual, loadBalancer, connectTimeout, requestAttemptTimeout,
        hostConnectionPool, failFast, requeueBudget, List.of(), tls, h2);
    for (Entry e : configs) {
      Optional<Map<String, String>> vars = e.prefix().extract(id);
      if (vars.isPresent()) {
        c = e.applyTo(c);
        if (e.tls().isPresent()) {
          c = c.withTls(Optional.of(e.tls().get().substitute(vars.get())));
        }
      }
    }
    return c;
  }

  /** One entry of {@code io.l5d.static} (or the keys of {@code io.l5d.global}): the keys it sets. */
  public record Entry(
      PathPattern prefix,
      Optional<FailureAccrualConfig> failureAccrual,
      Optional<String> loadBalancer,
      Optional<Duration> connectTimeout,
      Optional<Duration> requestAttemptTimeout,
      Optional<HostConnectionPool> hostConnectionPool,
      Optional<Boolean> failFast,
      Optional<RetryBudgetConfig> requeueBudget,
      Optional<ClientTlsConfig> tls) {

    public Entry {
      if (tls == null) {
        throw new IllegalArgumentException("tls is Optional.empty() when the entry leaves TLS as it is, not null");
      }
    }

    /** An entry that leaves TLS as it is. */
    public Entry(
        PathPattern prefix,
        Optional<FailureAccrualConfig> failureAccrual,
        Optional<String> loadBalancer,
        Optional<Duration> connectTimeout,
        Optional<Duration> requestAttemptTimeout,
        Optional<HostConnectionPool> hostConnectionPool,
        Optional<Boolean> failFast,
        Optional<RetryBudgetConfig> requeueBudget) {
      this(prefix, failureAccrual, loadBalancer, connectTimeout, requestAttemptTimeout, hostConnectionPool, failFast,
          requeueBudget, Optional.empty());
    }

    /** Every key but {@code tls} (whose captures need the client's id: see {@link ClientConfig#forClient}). */
    ClientConfig applyTo(ClientConfig c) {
      return new ClientConfig(
          failureAccrual.orElse(c.failureAccrual()),
          loadBalancer.orElse(c.loadBalancer()),
          connectTimeout.orElse(c.connectTimeout()),
          requestAttemptTimeout.isPresent() ? requestAttemptTimeout : c.requestAttemptTimeout(),
          hostConnectionPool.orElse(c.hostConnectionPool()),
          failFast.orElse(c.failFast()),
          requeueBudget.isPresent() ? requeueBudget : c.requeueBudget(),
          c.configs(),
          c.tls(),
          c.h2());
    }
  }
}
