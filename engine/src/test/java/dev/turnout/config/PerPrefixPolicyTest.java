package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Linkerd 1's io.l5d.global and io.l5d.static service and client blocks, read and resolved. */
class PerPrefixPolicyTest {
  private final Blocks blocks = new Blocks();

  private ServiceConfig service(String yaml) {
    return ServiceReader.read(blocks.at("routers[0].service", yaml));
  }

  private ClientConfig client(String yaml) {
    return ClientReader.read(blocks.context, blocks.at("routers[0].client", yaml));
  }

  @Test
  void globalKindReadsTheKeysStraightUnderTheBlockAsTheFlatFormDoes() {
    ServiceConfig flat = service("{totalTimeoutMs: 500, retries: {budget: {percentCanRetry: 0.5}}}");
    ServiceConfig global = service("{kind: io.l5d.global, totalTimeoutMs: 500, retries: {budget: {percentCanRetry: 0.5}}}");

    assertThat(global).isEqualTo(flat);
    assertThat(flat.totalTimeout()).contains(Duration.ofMillis(500));
    assertThat(flat.percentCanRetry()).isEqualTo(0.5);
    assertThat(flat.configs()).isEmpty();
  }

  @Test
  void everyMatchingStaticEntryAppliesInOrderKeyByKey() {
    ServiceConfig s =
        service(
            "{kind: io.l5d.static, configs: ["
                + "{prefix: /svc, totalTimeoutMs: 1000, responseClassifier: {kind: io.l5d.http.retryableRead5XX}},"
                + "{prefix: '/svc/{name}', retries: {backoff: {kind: constant, ms: 20}}},"
                + "{prefix: /svc/users, totalTimeoutMs: 200},"
                + "{prefix: /svc/orders, totalTimeoutMs: 9000}]}");

    ServiceConfig users = s.forService(Path.read("/svc/users/v2"));
    ServiceConfig other = s.forService(Path.read("/svc/web"));
    ServiceConfig outside = s.forService(Path.read("/other"));

    assertThat(users.totalTimeout()).contains(Duration.ofMillis(200));
    assertThat(users.responseClassifier()).isEqualTo("io.l5d.http.retryableRead5XX");
    assertThat(users.backoff()).isEqualTo(RetryBackoff.constant(Duration.ofMillis(20)));
    assertThat(other.totalTimeout()).contains(Duration.ofMillis(1000));
    assertThat(outside.totalTimeout()).isEmpty();
    assertThat(outside.responseClassifier()).isEqualTo("io.l5d.http.nonRetryable5XX");
  }

  @Test
  void aLaterRetriesEntryReplacesOnlyTheBudgetOrBackoffItSets() {
    ServiceConfig s =
        service(
            "{kind: io.l5d.static, configs: ["
                + "{prefix: /, retries: {budget: {percentCanRetry: 0.5}, backoff: {kind: jittered, minMs: 10, maxMs: 100}}},"
                + "{prefix: /svc, retries: {budget: {minRetriesPerSec: 1}}}]}");

    ServiceConfig svc = s.forService(Path.read("/svc/a"));

    assertThat(svc.percentCanRetry()).isEqualTo(0.2); // the whole budget is replaced, as Linkerd's param is
    assertThat(svc.minRetriesPerSec()).isEqualTo(1);
    assertThat(svc.backoff().kind()).isEqualTo(RetryBackoff.Kind.JITTERED);
  }

  @Test
  void clientPrefixesMatchTheBoundIdWithWildcardsAndGreedyCaptures() {
    ClientConfig c =
        client(
            "{kind: io.l5d.static, configs: ["
                + "{prefix: /#/io.l5d.fs, loadBalancer: {kind: roundRobin}},"
                + "{prefix: '/#/*/{a}-{b}', requestAttemptTimeoutMs: 300},"
                + "{prefix: '/$/inet/127.1/{port}', hostConnectionPool: {maxSize: 2, maxWaiters: 0}, connectTimeoutMs: 50}]}");

    ClientConfig users = c.forClient(Path.read("/#/io.l5d.fs/users-east-1"));
    ClientConfig inet = c.forClient(Path.read("/$/inet/127.1/8080"));

    assertThat(users.loadBalancer()).isEqualTo("roundRobin");
    assertThat(users.requestAttemptTimeout()).contains(Duration.ofMillis(300));
    assertThat(inet.loadBalancer()).isEqualTo("ewma");
    assertThat(inet.requestAttemptTimeout()).isEmpty();
    assertThat(inet.hostConnectionPool().maxSize()).isEqualTo(2);
    assertThat(inet.hostConnectionPool().maxWaiters()).isZero();
    assertThat(inet.connectTimeout()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void aCaptureMayStandForTextWithinOneSegmentOnly() {
    PathPattern p = new PathPattern("/svc/{name}/v{n}");

    assertThat(p.matches(Path.read("/svc/users/v2"))).isTrue();
    assertThat(p.matches(Path.read("/svc/users/api-v2/x"))).isTrue();
    assertThat(p.matches(Path.read("/svc/users"))).isFalse();
    assertThat(new PathPattern("/svc/*/v2").matches(Path.read("/svc/a/v1"))).isFalse();
    assertThat(PathPattern.ALL.matches(Path.EMPTY)).isTrue();
  }

  @Test
  void successRateWindowedNeedsItsWindowAndReadsAConstantBackoff() {
    ClientConfig c =
        client("{failureAccrual: {kind: io.l5d.successRateWindowed, successRate: 0.9, window: 10,"
            + " backoff: {kind: constant, ms: 3000}}}");

    assertThat(c.failureAccrual().window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.failureAccrual().backoffMin()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.failureAccrual().backoffMax()).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> client("{failureAccrual: {kind: io.l5d.successRateWindowed, successRate: 0.9}}"))
        .hasMessage("routers[0].client.failureAccrual.window: is required");
  }

  @Test
  void staticEntriesNameTheirPathInEveryComplaint() {
    assertThatThrownBy(() -> client("{kind: io.l5d.static, configs: [{prefix: /a}, {loadBalancer: {kind: p2c}}]}"))
        .hasMessage("routers[0].client.configs[1].prefix: is required");
    assertThatThrownBy(() -> client("{kind: io.l5d.static, configs: [{prefix: a/b}]}"))
        .hasMessage("routers[0].client.configs[0].prefix: must be a path starting with /, not a/b");
    assertThatThrownBy(() -> client("{kind: io.l5d.static, configs: [{prefix: /a, hostConnectionPool: {minSize: 3, maxSize: 2}}]}"))
        .hasMessage("routers[0].client.configs[0].hostConnectionPool.minSize: must not be more than maxSize (2)");
    assertThatThrownBy(() -> service("{kind: io.l5d.static, configs: [{prefix: /a, retries: {backoff: {kind: jittered, minMs: 9, maxMs: 1}}}]}"))
        .hasMessage("routers[0].service.configs[0].retries.backoff.maxMs: must not be less than minMs (9)");
    assertThatThrownBy(() -> service("{kind: io.l5d.dynamic}"))
        .hasMessage("routers[0].service.kind: must be io.l5d.global or io.l5d.static, not io.l5d.dynamic");
  }

  @Test
  void heapRunsAsEwmaWithAWarningInAnEntryToo() {
    ClientConfig c = client("{kind: io.l5d.static, configs: [{prefix: /, loadBalancer: {kind: heap}}]}");

    assertThat(c.forClient(Path.read("/x")).loadBalancer()).isEqualTo("ewma");
    assertThat(blocks.context.warnings())
        .containsExactly(
            "routers[0].client.configs[0].loadBalancer.kind: heap is not implemented by Turnout; using ewma (ignored)");
    assertThat(c.forClient(Path.read("/x")).requeueBudget()).isEqualTo(Optional.empty());
  }
}
