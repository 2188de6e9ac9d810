package dev.turnout.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The upstream client's reading of answer heads and body framing, byte by byte where it matters. */
class UpstreamFramingTest {
  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void aHeadIsReadWithItsFramingAndTheBodyLeftInPlace() throws Exception {
    ByteBuffer in = bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  one \r\nX-A: two\r\n\r\nhello");
    ResponseHead h = ResponseHead.parse(in);
    assertThat(h.status).isEqualTo(200);
    assertThat(h.contentLength).isEqualTo(5);
    assertThat(h.chunked).isFalse();
    assertThat(h.keepAlive).isTrue();
    assertThat(h.headers.get("X-A")).containsExactly("one", "two");
    assertThat(h.headers.getFirst(Headers.CONTENT_LENGTH)).isEqualTo("5");
    assertThat(StandardCharsets.ISO_8859_1.decode(in).toString()).isEqualTo("hello");
  }

  @Test
  void aHeadNotAllThereYetLeavesTheBufferAsItWas() throws Exception {
    String head = "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";
    for (int cut = 0; cut < head.length(); cut++) {
      ByteBuffer in = bytes(head.substring(0, cut));
      assertThat(ResponseHead.parse(in)).as("cut at " + cut).isNull();
      assertThat(in.position()).isZero();
    }
    assertThat(ResponseHead.parse(bytes(head)).status).isEqualTo(204);
  }

  @Test
  void wellKnownNamesAreReadInAnyCaseAndOthersKeepTheirOwn() throws Exception {
    ResponseHead h =
        ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\nCONNECTION: Keep-Alive, CLOSE\r\nX-Content-Length: 9\r\nx-Odd: v\r\n\r\nok"));
    assertThat(h.contentLength).isEqualTo(2);
    assertThat(h.keepAlive).isFalse();
    assertThat(h.headers.getFirst(Headers.CONTENT_LENGTH)).isEqualTo("2");
    assertThat(h.headers.getFirst("X-Content-Length")).isEqualTo("9");
    assertThat(h.headers.get("X-ODD").getHeaderName().toString()).isEqualTo("x-Odd");
  }

  @Test
  void theFramingFieldsAreFoundInAnyCaseAndTheirAbsenceIsNoLength() throws Exception {
    // The parse looks these three up only when it saw their names: a spelling it failed to recognise
    // would leave a chunked body read as running to the connection's end.
    ResponseHead chunked =
        ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\ntRANSFER-eNCODING: gzip, CHUNKED\r\ncontent-length: 5\r\n\r\n"));
    assertThat(chunked.chunked).isTrue();
    assertThat(chunked.untilClose).isFalse();
    assertThat(chunked.headers.contains(Headers.CONTENT_LENGTH)).as("dropped under chunked").isFalse();
    assertThat(chunked.keepAlive).isTrue();

    ResponseHead bare = ResponseHead.parse(bytes("HTTP/1.1 204 No Content\r\nServer: s\r\n\r\n"));
    assertThat(bare.contentLength).isEqualTo(ResponseHead.NO_LENGTH);
    assertThat(bare.chunked).isFalse();
    assertThat(bare.keepAlive).as("HTTP/1.1 keeps the connection unless told").isTrue();
    ResponseHead old = ResponseHead.parse(bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
    assertThat(old.keepAlive).as("HTTP/1.0 closes unless told").isFalse();
  }

  @Test
  void valuesKeptFromEarlierAnswersAreHandedOutOnlyForTheSameBytes() throws Exception {
    java.util.List<String> seen = new java.util.ArrayList<>();
    Scratch thread = new Scratch(); // one IO thread's: its values kept across answers and connections
    for (int i = 0; i < 500; i++) {
      ResponseHead h = new ResponseHead(thread);
      assertThat(h.read(bytes("HTTP/1.1 200 OK\r\nX-N: v" + i + "\r\nServer: s\r\nX-Same: v" + i % 7
          + "\r\n\r\n"), null)).isTrue();
      seen.add(h.headers.getFirst("X-N") + " " + h.headers.getFirst("X-Same") + " " + h.headers.getFirst("Server"));
    }

    ResponseHead again = new ResponseHead(thread);
    assertThat(again.read(bytes("HTTP/1.1 200 OK\r\nX-Same: v3\r\nX-Other: v3\r\n\r\n"), null)).isTrue();

    for (int i = 0; i < 500; i++) {
      assertThat(seen.get(i)).isEqualTo("v" + i + " v" + i % 7 + " s");
    }
    assertThat(again.headers.getFirst("X-Same")).isSameAs(again.headers.getFirst("X-Other")).isEqualTo("v3");
  }

  @Test
  void bareLineFeedsAndAnEmptyReasonAreAccepted() throws Exception {
    ResponseHead h = ResponseHead.parse(bytes("HTTP/1.1 404\nContent-Length: 0\n\n"));
    assertThat(h.status).isEqualTo(404);
    assertThat(h.contentLength).isZero();
  }

  @Test
  void connectionPersistenceFollowsTheVersionAndTheConnectionHeader() throws Exception {
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")).keepAlive).isFalse();
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nConnection: foo, Close\r\n\r\n")).keepAlive).isFalse();
    assertThat(ResponseHead.parse(bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).keepAlive).isFalse();
    assertThat(
            ResponseHead.parse(bytes("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"))
                .keepAlive)
        .isTrue();
  }

  @Test
  void transferCodingsDecideTheFramingOverContentLength() throws Exception {
    ResponseHead chunked =
        ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 9\r\n\r\n"));
    assertThat(chunked.chunked).isTrue();
    assertThat(chunked.contentLength).isEqualTo(ResponseHead.NO_LENGTH);
    assertThat(chunked.headers.contains(Headers.CONTENT_LENGTH)).isFalse();
    ResponseHead other = ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"));
    assertThat(other.untilClose).isTrue();
    assertThat(other.keepAlive).isFalse();
  }

  @Test
  void repeatedContentLengthsMustAgree() throws Exception {
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\n"))
            .contentLength)
        .isEqualTo(3);
    assertThatThrownBy(() -> ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")))
        .isInstanceOf(ResponseHead.Malformed.class)
        .hasMessageContaining("disagree");
    assertThatThrownBy(() -> ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")))
        .isInstanceOf(ResponseHead.Malformed.class);
  }

  @Test
  void headsThatBreakHttpAreRefused() {
    String[] broken = {
      "garbage\r\n\r\n",
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nName : spaced\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
    };
    for (String head : broken) {
      assertThatThrownBy(() -> ResponseHead.parse(bytes(head)))
          .as(head)
          .isInstanceOf(ResponseHead.Malformed.class);
    }
  }

  @Test
  void aHeadIsParsedIntoTheMapItIsGivenAndABrokenOneLeavesItEmpty() throws Exception {
    HeaderMap exchanges = new HeaderMap();

    ResponseHead h = ResponseHead.parse(bytes("HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n"), exchanges);

    assertThat(h.headers).isSameAs(exchanges);
    assertThat(exchanges.getFirst("X-A")).isEqualTo("1");
    exchanges.clear();
    for (String broken : new String[] {
        "HTTP/1.1 200 OK\r\nX-A: 1\r\nNo colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"}) {
      assertThatThrownBy(() -> ResponseHead.parse(bytes(broken), exchanges)).isInstanceOf(ResponseHead.Malformed.class);
      assertThat(exchanges.size()).as(broken).isZero();
    }
  }

  @Test
  void aHeadReadAgainTakesNothingFromTheAnswerBefore() throws Exception {
    ResponseHead h = new ResponseHead(new Scratch());
    HeaderMap first = new HeaderMap();
    assertThat(h.read(bytes("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"), first)).isTrue();
    assertThat(h.chunked).isTrue();
    assertThat(h.keepAlive).isFalse();

    HeaderMap second = new HeaderMap();
    assertThat(h.read(bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\n"), second)).isTrue();

    assertThat(h.status).isEqualTo(404);
    assertThat(h.headers).isSameAs(second);
    assertThat(second.contains("X-A")).isFalse();
    assertThat(h.chunked).isFalse();
    assertThat(h.untilClose).isFalse();
    assertThat(h.contentLength).isEqualTo(7);
    assertThat(h.keepAlive).isTrue();
    assertThat(first.getFirst("X-A")).isEqualTo("1");
    // a head longer than the first look grows the thread's array, and the next head reads from it too
    String cookie = "c".repeat(3000);
    assertThat(h.read(bytes("HTTP/1.1 200 OK\r\nSet-Cookie: " + cookie + "\r\n\r\n"), null)).isTrue();
    assertThat(h.headers.getFirst("Set-Cookie")).isEqualTo(cookie);
    assertThat(h.read(bytes("HTTP/1.1 204 No Content\r\n\r\n"), null)).isTrue();
    assertThat(h.status).isEqualTo(204);
    assertThat(h.read(bytes("HTTP/1.1 200 OK\r\nServ"), null)).isFalse();
  }

  @Test
  void interimAnswersAreKnownAsSuch() throws Exception {
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 100 Continue\r\n\r\n")).interim()).isTrue();
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")).interim()).isTrue();
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 101 Switching Protocols\r\n\r\n")).interim()).isFalse();
  }

  /** Feeds {@code wire} to a framing {@code step} bytes at a time, as reads would; returns the body. */
  private static String decode(BodyFraming framing, String wire, int step) throws Exception {
    byte[] all = wire.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer buffer = ByteBuffer.allocate(all.length + 1);
    buffer.flip();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int fed = 0;
    while (true) {
      int n = framing.data(buffer);
      if (n == BodyFraming.END) {
        assertThat(buffer.hasRemaining()).as("bytes left after the body").isFalse();
        return body.toString(StandardCharsets.ISO_8859_1);
      }
      if (n > 0) {
        // take only part of what is offered, as a slow caller would
        int take = Math.max(1, n / 2);
        byte[] out = new byte[take];
        buffer.get(out);
        body.write(out);
        framing.consumed(take);
        continue;
      }
      if (fed == all.length) {
        throw new AssertionError("framing wants more than the wire holds; body so far: " + body);
      }
      buffer.compact();
      int more = Math.min(step, all.length - fed);
      buffer.put(all, fed, more);
      fed += more;
      buffer.flip();
    }
  }

  @Test
  void aChunkedBodyIsDecodedHoweverTheReadsSplitIt() throws Exception {
    String wire = "5;name=value\r\nhello\r\n1A\r\n, chunked world, in parts.\r\n0\r\nX-Trailer: t\r\n\r\n";
    for (int step = 1; step <= wire.length(); step++) {
      assertThat(decode(BodyFraming.chunked(), wire, step))
          .as("reads of " + step + " bytes")
          .isEqualTo("hello, chunked world, in parts.");
    }
  }

  @Test
  void aChunkedBodyWithBareLineFeedsAndNoTrailersEnds() throws Exception {
    assertThat(decode(BodyFraming.chunked(), "3\nabc\n0\n\n", 2)).isEqualTo("abc");
  }

  @Test
  void brokenChunkFramingIsRefused() {
    String[] broken = {"zz\r\n", "\r\n", "3\r\nabcX", "3x\r\n", "fffffffffffffffff\r\n"};
    for (String wire : broken) {
      assertThatThrownBy(() -> decode(BodyFraming.chunked(), wire + "\r\n0\r\n\r\n", 64))
          .as(wire)
          .isInstanceOf(ResponseHead.Malformed.class);
    }
  }

  @Test
  void aFixedLengthBodyEndsOnItsLastByteWithoutAnotherRead() throws Exception {
    assertThat(decode(BodyFraming.fixed(11), "hello world", 3)).isEqualTo("hello world");
    BodyFraming empty = BodyFraming.fixed(0);
    assertThat(empty.data(ByteBuffer.allocate(0))).isEqualTo(BodyFraming.END);
  }

  @Test
  void aFramingStartedAgainReadsTheNextBodyAsANewOneWouldWhereverTheLastStopped() throws Exception {
    String wire = "5;name=value\r\nhello\r\n1A\r\n, chunked world, in parts.\r\n0\r\nX-Trailer: t\r\n\r\n";
    BodyFraming.Chunked chunked = new BodyFraming.Chunked();
    for (int cut = 0; cut < wire.length(); cut++) {
      // a body left at every point of its framing: mid size line, extension, data, trailers
      ByteBuffer part = bytes(wire.substring(0, cut));
      chunked.start();
      try {
        while (true) {
          int n = chunked.data(part);
          if (n <= 0) {
            break;
          }
          part.position(part.position() + n);
          chunked.consumed(n);
        }
      } catch (ResponseHead.Malformed e) {
        throw new AssertionError("cut at " + cut, e);
      }
      assertThat(decode(chunked.start(), wire, 7)).as("after a cut at " + cut).isEqualTo("hello, chunked world, in parts.");
    }
    assertThatThrownBy(() -> decode(chunked.start(), "zz\r\n", 64)).isInstanceOf(ResponseHead.Malformed.class);
    assertThat(decode(chunked.start(), "3\nabc\n0\n\n", 2)).isEqualTo("abc");

    BodyFraming.Fixed fixed = new BodyFraming.Fixed();
    assertThat(decode(fixed.start(11), "hello world", 3)).isEqualTo("hello world");
    fixed.start(5);
    fixed.consumed(2);
    assertThat(decode(fixed.start(3), "abc", 1)).isEqualTo("abc");
    assertThat(fixed.start(0).data(ByteBuffer.allocate(0))).isEqualTo(BodyFraming.END);
  }
}
