package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hosts of /$/inet read as the JVM's address parser reads them (checked against InetAddress on JDK 17). */
class HostLiteralTest {
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1        | 127.0.0.1",
        "127.1            | 127.0.0.1",
        "127.0.1          | 127.0.0.1",
        "2130706433       | 127.0.0.1",
        "127.000.000.001  | 127.0.0.1",
        "::1              | 0:0:0:0:0:0:0:1",
        "[::1]            | 0:0:0:0:0:0:0:1",
        "0:0:0:0:0:0:0:1  | 0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1 | 127.0.0.1",
      })
  void literalsBindToTheirCanonicalAddress(String host, String canonical) {
    assertThat(HostLiteral.classify(host))
        .isInstanceOfSatisfying(HostLiteral.Literal.class, l -> assertThat(l.text()).isEqualTo(canonical));
  }

  @ParameterizedTest(name = "{0} is malformed")
  @CsvSource({"256.1.1.1", "1.2.3.4.5", "127..1", "127.0.0.1.", "4294967296", "[::1", "::g", "[]", "a b", "x/y"})
  void malformedHostsAreSaidToBeSoWithoutAskingDns(String host) {
    assertThat(HostLiteral.classify(host))
        .isInstanceOfSatisfying(HostLiteral.Malformed.class, m -> assertThat(m.why()).contains(host));
  }

  @ParameterizedTest(name = "{0} is a host name")
  @CsvSource({"localhost", "users.example", "a-b_c.local", "127.example"})
  void otherHostsAreNamesToResolve(String host) {
    assertThat(HostLiteral.classify(host)).isEqualTo(new HostLiteral.HostName(host));
  }
}
