package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServiceReaderTest {
  private final Blocks blocks = new Blocks();

  private ServiceConfig service(String yaml) {
    return ServiceReader.read(blocks.at("routers[0].service", yaml));
  }

  @Test
  void withoutAServiceBlockRetriesAreAFifthOfTrafficOverTenSeconds() {
    ServiceConfig s = service("null");

    assertThat(s.responseClassifier()).isEqualTo("io.l5d.http.nonRetryable5XX");
    assertThat(s.percentCanRetry()).isEqualTo(0.2);
    assertThat(s.minRetriesPerSec()).isEqualTo(10);
    assertThat(s.retryTtl()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aRetryWindowOverAMinuteIsRefused() {
    assertThatThrownBy(() -> service("{retries: {budget: {ttlSecs: 61}}}"))
        .hasMessage("routers[0].service.retries.budget.ttlSecs: must be 1-60");
  }

  @Test
  void anUnknownClassifierIsRefused() {
    assertThatThrownBy(() -> service("{responseClassifier: {kind: io.l5d.h2.grpc.default}}"))
        .hasMessage("routers[0].service.responseClassifier.kind: unknown response classifier io.l5d.h2.grpc.default"
            + " (an h2 router's; this router is http)");
  }
}
