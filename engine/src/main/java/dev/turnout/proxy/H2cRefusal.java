package dev.turnout.proxy;

import io.undertow.Undertow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Refuses an HTTP/2 prior-knowledge ({@code h2c}) preface on a plaintext http router port as HTTP/2
 * says to (RFC 9113 sections 3.4 and 5.4.1): the server's preface (an empty SETTINGS frame), then
 * {@code GOAWAY} with last stream 0, {@code HTTP_1_1_REQUIRED} (0xd) and a reason a person can read,
 * then the connection is closed. Undertow, with HTTP/2 off, answered the preface with an HTTP/1.1 400
 * without a body, which an HTTP/2 client cannot read: it saw the connection drop for no reason.
 *
 * <p>Undertow has no hook between accepting a connection and reading it, so this has {@link
 * BalancedAccept} take over the listener's accept (from {@link Undertow.ListenerInfo}'s fields, by
 * reflection) and puts a {@link Sniffer} in front of each connection's reads. The sniffer
 * looks at the first 16 bytes only and then gets out of the way. Should the fields not be there (a
 * later Undertow), the listener is left as it was and Undertow's 400 stands; a warning says so.
 */
final class H2cRefusal {
  private static final Logger LOG = LoggerFactory.getLogger(H2cRefusal.class);
  private static final byte[] PREFACE_LINE = "PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int HTTP_1_1_REQUIRED = 0xd;

  private H2cRefusal() {}

  /** Puts the refusal in front of {@code listener}'s connections; false (and a warning) if it could not. */
  static boolean install(Undertow.ListenerInfo listener, String router, BalancedAccept.Counts counts) {
    boolean installed = BalancedAccept.install(listener, counts, open -> c -> {
      c.getSourceChannel().setConduit(new Sniffer(c.getSourceChannel().getConduit(), c, router));
      open.handleEvent(c);
    });
    if (!installed) {
      LOG.warn("router {}: an h2c preface will be answered by Undertow's bare 400, not GOAWAY HTTP_1_1_REQUIRED", router);
    }
    return installed;
  }

  /** The server's preface and the GOAWAY, as one write. */
  static byte[] refusal(String router) {
    byte[] reason = ("this port (router " + router + ") speaks HTTP/1.1 only; HTTP/2 is served by protocol: h2 routers")
        .getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(9 + 9 + 8 + reason.length);
    frameHead(b, 0, 0x4); // SETTINGS, empty
    frameHead(b, 8 + reason.length, 0x7); // GOAWAY
    b.putInt(0).putInt(HTTP_1_1_REQUIRED).put(reason);
    return b.array();
  }

  private static void frameHead(ByteBuffer b, int length, int type) {
    b.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length).put((byte) type).put((byte) 0).putInt(0);
  }

  /** How long a refused connection is kept open for the caller to read the GOAWAY and close first. */
  static final long LINGER_MILLIS = 2_000;

  /**
   * Reads for Undertow's HTTP/1.1 parser, comparing the first bytes with the h2c preface's first line:
   * on a mismatch it passes everything on from then on; on a match the refusal is written, and the
   * parser sees nothing more: the caller's bytes are discarded until it closes or the linger ends.
   */
  static final class Sniffer extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private final StreamConnection connection;
    private final String router;
    private int matched;
    private boolean decided;
    /** The h2c preface was seen and refused: from then on the caller's bytes are discarded. */
    private boolean refused;

    Sniffer(StreamSourceConduit next, StreamConnection connection, String router) {
      super(next);
      this.connection = connection;
      this.router = router;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (refused) {
        return drain();
      }
      if (decided) {
        return next.read(dst);
      }
      int start = dst.position();
      int n = next.read(dst);
      for (int i = 0; i < n && !decided; i++) {
        if (dst.get(start + i) != PREFACE_LINE[matched]) {
          decided = true;
        } else if (++matched == PREFACE_LINE.length) {
          decided = true;
          refused = true;
          dst.position(start);
          refuse();
          return drain();
        }
      }
      return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
      if (refused) {
        return drain();
      }
      if (decided) {
        return next.read(dsts, offs, len);
      }
      for (int i = offs; i < offs + len; i++) {
        if (dsts[i].hasRemaining()) {
          return read(dsts[i]);
        }
      }
      return 0;
    }

    /**
     * Writes the refusal and ends the sending side (FIN). A fresh connection's send buffer takes these
     * few bytes at once; if not, it is closed all the same. The connection is not closed at once: bytes
     * of the caller's still unread at the close (its SETTINGS, its first request) would make the
     * kernel answer with a reset, which may reach the caller before it has read the GOAWAY. So what the
     * caller sends is read and thrown away ({@link #drain}) until it closes its side, or for
     * {@link #LINGER_MILLIS} at most.
     */
    private void refuse() {
      try {
        connection.getSinkChannel().write(ByteBuffer.wrap(refusal(router)));
        connection.getSinkChannel().shutdownWrites();
        connection.getSinkChannel().flush();
      } catch (IOException ignored) {
        // the caller has gone: nothing to tell it
        IoUtils.safeClose(connection);
        return;
      }
      connection.getIoThread().executeAfter(() -> IoUtils.safeClose(connection), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Reads and discards what the refused caller sends: 0 while it has sent nothing more, -1 once it closed. */
    private int drain() throws IOException {
      ByteBuffer discard = ByteBuffer.allocate(512);
      int n;
      while ((n = next.read(discard)) > 0) {
        discard.clear();
      }
      return n;
    }
  }
}
