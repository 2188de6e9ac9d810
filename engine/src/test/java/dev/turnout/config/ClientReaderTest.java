package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientReaderTest {
  private final Blocks blocks = new Blocks();

  private ClientConfig client(String yaml) {
    return ClientReader.read(blocks.context, blocks.at("routers[0].client", yaml));
  }

  @Test
  void apertureRunsAsEwmaWithAWarning() {
    ClientConfig c = client("{loadBalancer: {kind: aperture}}");

    assertThat(c.loadBalancer()).isEqualTo("ewma");
    assertThat(blocks.context.warnings())
        .containsExactly("routers[0].client.loadBalancer.kind: aperture is not implemented by Turnout; using ewma (ignored)");
  }

  @Test
  void aBalancerNobodyKnowsIsRefused() {
    assertThatThrownBy(() -> client("{loadBalancer: {kind: random}}"))
        .hasMessage("routers[0].client.loadBalancer.kind: must be ewma, p2c or roundRobin, not random");
  }

  @Test
  void aBackoffThatShrinksIsRefused() {
    assertThatThrownBy(() -> client("{failureAccrual: {backoff: {minMs: 100, maxMs: 10}}}"))
        .hasMessage("routers[0].client.failureAccrual.backoff.maxMs: must not be less than minMs");
  }
}
