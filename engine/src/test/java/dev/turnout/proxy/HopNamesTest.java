package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which headers a hop passes on: end-to-end ones, whatever the case of their names. */
class HopNamesTest {

  private static HeaderMap copied(HeaderMap from, Set<HttpString> skip) {
    HeaderMap to = new HeaderMap();
    Hop.copy(from, to, skip);
    return to;
  }

  @Test
  void hopByHopHeadersAreDroppedInAnyCaseAndTheRestPassWithEveryValue() {
    HeaderMap in = new HeaderMap();
    in.add(new HttpString("connection"), "keep-alive");
    in.add(new HttpString("KEEP-ALIVE"), "timeout=5");
    in.add(new HttpString("Proxy-Connection"), "close");
    in.add(new HttpString("te"), "trailers");
    in.add(new HttpString("Trailer"), "x-sum");
    in.add(new HttpString("transfer-encoding"), "chunked");
    in.add(new HttpString("Upgrade"), "websocket");
    in.add(new HttpString("Accept"), "text/html");
    in.add(new HttpString("X-Many"), "one");
    in.add(new HttpString("X-Many"), "two");
    in.add(new HttpString("Content-Type"), "text/plain");

    HeaderMap out = copied(in, Set.of());

    assertThat(out.getHeaderNames()).extracting(HttpString::toString)
        .containsExactlyInAnyOrder("Accept", "X-Many", "Content-Type");
    assertThat(out.get("x-many")).containsExactly("one", "two");
    for (String hop : new String[] {"Connection", "keep-alive", "proxy-connection", "TE", "trailer", "Transfer-Encoding", "upgrade"}) {
      assertThat(Hop.isHopByHop(new HttpString(hop))).as(hop).isTrue();
    }
    assertThat(Hop.isHopByHop(new HttpString("Accept"))).isFalse();
    assertThat(Hop.isHopByHop(new HttpString("Host"))).isFalse();
  }

  @Test
  void namesTheConnectionHeaderListsAndSkippedNamesAreDroppedToo() {
    HeaderMap in = new HeaderMap();
    in.add(new HttpString("Connection"), "X-Private , x-other");
    in.add(new HttpString("x-private"), "secret");
    in.add(new HttpString("X-Other"), "also");
    in.add(new HttpString("l5d-dtab"), "/svc=>/x");
    in.add(new HttpString("X-Kept"), "yes");

    HeaderMap out = copied(in, Set.of(L5dHeaders.DTAB));

    assertThat(out.getHeaderNames()).extracting(HttpString::toString).containsExactly("X-Kept");
  }

  @Test
  void aConnectionTokenNamesAHeaderWholeIgnoringCaseAndTheSpaceAroundIt() {
    HttpString name = new HttpString("X-Private");

    assertThat(Hop.namedIn("x-private", name)).isTrue();
    assertThat(Hop.namedIn("keep-alive, X-PRIVATE", name)).isTrue();
    assertThat(Hop.namedIn(" ,\tx-private\t , other", name)).isTrue();
    assertThat(Hop.namedIn("keep-alive", name)).isFalse();
    assertThat(Hop.namedIn("x-private-2, x-privat", name)).isFalse();
    assertThat(Hop.namedIn("x-pri vate", name)).isFalse();
    assertThat(Hop.namedIn(",, ,", name)).isFalse();
    assertThat(Hop.namedIn("", name)).isFalse();
  }
}
