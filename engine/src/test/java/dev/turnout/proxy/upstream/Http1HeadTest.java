package dev.turnout.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request head's bytes as Turnout's HTTP/1.1 client writes them. */
class Http1HeadTest {
  private static String text(ByteBuffer b) {
    return StandardCharsets.ISO_8859_1.decode(b).toString();
  }

  @Test
  void aNumberIsWrittenInHexAsLongSpellsIt() {
    HttpString reqid = new HttpString("l5d-reqid");
    for (long id : new long[] {0, 1, 9, 0xa, 0xf, 0x10, 0xff, 0x100, 0x7fffffffffffffffL, -1, Long.MIN_VALUE,
        0x0123456789abcdefL, 0xfedcba9876543210L}) {
      Http1Head head = new Http1Head().start(Methods.GET, "/");
      head.hexHeader(reqid, id);
      head.header(new HttpString("X-After"), "1");

      assertThat(text(head.end()))
          .isEqualTo("GET / HTTP/1.1\r\nl5d-reqid: " + Long.toHexString(id) + "\r\nX-After: 1\r\n\r\n");
    }
  }

  @Test
  void aNumberAtTheEndOfAFullArrayGrowsIt() {
    Http1Head head = new Http1Head().start(Methods.GET, "/" + "a".repeat(4070));
    head.hexHeader(new HttpString("l5d-reqid"), -1);

    assertThat(text(head.end())).endsWith("\r\nl5d-reqid: ffffffffffffffff\r\n\r\n");
  }
}
