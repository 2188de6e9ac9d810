package dev.turnout.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Where the upstream pool connects: an IP literal's address made once, a host name looked up each time. */
class UpstreamPoolTest {

  @Test
  void ipLiteralsAreToldFromHostNames() {
    assertThat(UpstreamPool.isIpLiteral("127.0.0.1")).isTrue();
    assertThat(UpstreamPool.isIpLiteral("10.250.3.17")).isTrue();
    assertThat(UpstreamPool.isIpLiteral("::1")).isTrue();
    assertThat(UpstreamPool.isIpLiteral("fe80::1%lo")).isTrue();

    assertThat(UpstreamPool.isIpLiteral("localhost")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("users.default.svc")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("1.2.3")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("1.2.3.4.5")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("1.2.3.")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("1..2.3")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("999.1.1.1")).as("an octet over 255 is a name to look up").isFalse();
    assertThat(UpstreamPool.isIpLiteral("1.2.3.256")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("255.255.255.255")).isTrue();
    assertThat(UpstreamPool.isIpLiteral("1234.2.3.4")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("1.2.3.4a")).isFalse();
    assertThat(UpstreamPool.isIpLiteral("")).isFalse();
  }

  @Test
  void anIpLiteralsAddressIsMadeOnceForEveryConnection() {
    Supplier<InetSocketAddress> address = UpstreamPool.addressOf("127.0.0.1", 8080);

    InetSocketAddress first = address.get();

    assertThat(first.isUnresolved()).isFalse();
    assertThat(first.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(first.getPort()).isEqualTo(8080);
    assertThat(address.get()).isSameAs(first);
  }

  @Test
  void aHostNameIsLookedUpAgainForEachConnectionSoANewDnsAnswerIsFollowed() {
    Supplier<InetSocketAddress> address = UpstreamPool.addressOf("localhost", 8080);

    InetSocketAddress first = address.get();
    InetSocketAddress second = address.get();

    assertThat(first.isUnresolved()).isFalse();
    assertThat(first.getAddress().isLoopbackAddress()).isTrue();
    assertThat(second).isNotSameAs(first).isEqualTo(first);
  }
}
