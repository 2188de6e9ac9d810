package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The three ways a hop leaves out what describes one connection agree: {@link Hop#forward} writes as
 * lines, {@link Hop#strip} leaves in place, exactly what {@link Hop#copy} copies into a map.
 */
class HopTest {
  /** Header maps as a caller or a backend might send them: each entry a field line, in order. */
  private static final List<String[]> HEADS =
      List.of(
          new String[] {"Host: x", "User-Agent: wrk", "Accept: */*"},
          new String[] {"Host: x", "Connection: keep-alive", "Keep-Alive: timeout=5", "X-A: 1"},
          new String[] {"Host: x", "Connection: close, X-Named ,x-other", "X-Named: 1", "X-Other: 2", "X-Kept: 3"},
          new String[] {"Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: k", "TE: trailers"},
          new String[] {"Transfer-Encoding: chunked", "Trailer: X-T", "Proxy-Connection: keep-alive", "Via: 1.1 a"},
          new String[] {"X-Twice: 1", "Content-Type: text/plain", "x-twice: 2", "X-TWICE: 3", "Content-Length: 5"},
          new String[] {"Connection: ,, ", "X-Empty:", "Server: s"},
          new String[] {"Connection: keep-alive, Close", "close: odd", "Date: now"});

  private static HeaderMap map(String[] lines) {
    HeaderMap m = new HeaderMap();
    for (String line : lines) {
      int colon = line.indexOf(':');
      m.add(new HttpString(line.substring(0, colon)), line.substring(colon + 1).trim());
    }
    return m;
  }

  /** The map's lines, names lower-cased, sorted by name; the values of a name in their order. */
  private static List<String> lines(HeaderMap m) {
    List<String> out = new ArrayList<>();
    for (HeaderValues values : m) {
      for (String v : values) {
        out.add(values.getHeaderName().toString().toLowerCase(Locale.ROOT) + ": " + v);
      }
    }
    return sorted(out);
  }

  private static List<String> sorted(List<String> lines) {
    List<String> s = new ArrayList<>(lines);
    s.sort(Comparator.comparing(l -> l.substring(0, l.indexOf(':'))));
    return s;
  }

  @Test
  void forwardWritesTheLinesCopyWouldPut() {
    Set<HttpString> skip = Set.of(new HttpString("Via"));
    for (String[] head : HEADS) {
      HeaderMap copied = new HeaderMap();
      Hop.copy(map(head), copied, skip);
      List<String> written = new ArrayList<>();

      Hop.forward(map(head), skip, (name, value) -> written.add(name.toString().toLowerCase(Locale.ROOT) + ": " + value));

      assertThat(sorted(written)).as(String.join(" | ", head)).isEqualTo(lines(copied));
    }
  }

  @Test
  void stripLeavesInPlaceWhatCopyCopies() {
    for (String[] head : HEADS) {
      HeaderMap copied = new HeaderMap();
      Hop.copy(map(head), copied, Set.of());
      HeaderMap stripped = map(head);

      Hop.strip(stripped);

      assertThat(lines(stripped)).as(String.join(" | ", head)).isEqualTo(lines(copied));
    }
  }

  @Test
  void forwardsSaysWhetherAHeaderGoesOn() {
    HeaderMap m = map(new String[] {"Connection: Content-Length", "Content-Length: 5", "X-A: 1", "TE: x"});

    assertThat(Hop.forwards(m, new HttpString("Content-Length"))).isFalse();
    assertThat(Hop.forwards(m, new HttpString("x-a"))).isTrue();
    assertThat(Hop.forwards(m, new HttpString("TE"))).isFalse();
    assertThat(Hop.forwards(m, new HttpString("X-Missing"))).isFalse();
  }

  @Test
  void tokensOnEveryConnectionLineAreDropped() {
    String[] head = {"Connection: X-A", "Connection: keep-alive, X-B", "X-A: 1", "X-B: 2", "X-C: 3"};
    HeaderMap copied = new HeaderMap();
    Hop.copy(map(head), copied, Set.of());
    List<String> written = new ArrayList<>();
    Hop.forward(map(head), Set.of(), (name, value) -> written.add(name.toString().toLowerCase(Locale.ROOT) + ": " + value));
    HeaderMap stripped = map(head);
    Hop.strip(stripped);

    assertThat(lines(copied)).containsExactly("x-c: 3");
    assertThat(written).containsExactly("x-c: 3");
    assertThat(lines(stripped)).containsExactly("x-c: 3");
  }
}
