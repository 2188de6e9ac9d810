package dev.turnout.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How a router talks to the endpoints of a bound name. {@code tls}: Linkerd's {@code client.tls}
 * (read and checked; an enabled one stops start-up until the upstream client speaks TLS).
 */
public record ClientConfig(
    FailureAccrualConfig failureAccrual, String loadBalancer, Duration connectTimeout, Optional<ClientTlsConfig> tls) {

  public ClientConfig {
    if (tls == null) {
      throw new IllegalArgumentException("tls is Optional.empty() for plaintext, not null");
    }
  }

  /** A plaintext client. */
  public ClientConfig(FailureAccrualConfig failureAccrual, String loadBalancer, Duration connectTimeout) {
    this(failureAccrual, loadBalancer, connectTimeout, Optional.empty());
  }
}
