package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.server.HttpServerExchange;
import org.junit.jupiter.api.Test;

/** The chain's first step: a caller's request id is kept when it is plausible, else a new one is made. */
class RequestIdTest {
  private static HttpServerExchange withReqid(String id) {
    HttpServerExchange exchange = new HttpServerExchange(null);
    if (id != null) {
      exchange.getRequestHeaders().put(L5dHeaders.REQID, id);
    }
    return exchange;
  }

  @Test
  void aCallersIdOfLettersDigitsAndDashesIsKept() {
    String id = RequestId.of(withReqid("4f2a-B9c0-17"));

    assertThat(id).isEqualTo("4f2a-B9c0-17");
  }

  @Test
  void anIdWithOtherCharactersIsReplacedByANewOne() {
    String id = RequestId.of(withReqid("abc\r\nX-Evil: 1"));

    assertThat(id).matches("[0-9a-f]{1,16}");
  }

  @Test
  void anIdLongerThan64CharactersIsReplaced() {
    String id = RequestId.of(withReqid("a".repeat(65)));

    assertThat(id).matches("[0-9a-f]{1,16}");
  }

  @Test
  void aRequestWithoutAnIdGetsANewOne() {
    String id = RequestId.of(withReqid(null));

    assertThat(id).matches("[0-9a-f]{1,16}");
  }
}
