package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.proxy.upstream.HeaderSink;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.util.concurrent.atomic.AtomicReference;
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

  /** The id the request goes upstream with, as the chain's first step makes it. */
  private static String idOf(HttpServerExchange exchange) {
    String callers = RequestId.callers(exchange);
    return RequestId.show(callers, callers == null ? RequestId.fresh() : 0);
  }

  @Test
  void aCallersIdOfLettersDigitsAndDashesIsKept() {
    String id = idOf(withReqid("4f2a-B9c0-17"));

    assertThat(id).isEqualTo("4f2a-B9c0-17");
  }

  @Test
  void anIdWithOtherCharactersIsReplacedByANewOne() {
    String id = idOf(withReqid("abc\r\nX-Evil: 1"));

    assertThat(id).matches("[0-9a-f]{1,16}");
  }

  @Test
  void anIdLongerThan64CharactersIsReplaced() {
    String id = idOf(withReqid("a".repeat(65)));

    assertThat(id).matches("[0-9a-f]{1,16}");
  }

  @Test
  void aRequestWithoutAnIdGetsANewOne() {
    String id = idOf(withReqid(null));

    assertThat(id).matches("[0-9a-f]{1,16}");
  }

  @Test
  void aNewIdIsWrittenUpstreamAsItIsShown() {
    for (long id : new long[] {0, 1, 0xf, 0x10, 0xabc, 0x0123456789abcdefL, -1, Long.MIN_VALUE, 0x5c3e0f6a1b2d4e7fL}) {
      AtomicReference<String> written = new AtomicReference<>();
      HeaderSink sink = (name, value) -> written.set(name + ": " + value);

      sink.hexHeader(L5dHeaders.REQID, id);

      assertThat(written.get()).isEqualTo("l5d-reqid: " + RequestId.show(null, id)).endsWith(Long.toHexString(id));
    }
  }
}
