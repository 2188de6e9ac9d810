package dev.turnout.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocketFactory;

/**
 * A caller of the {@link Warmup}: one thread on one keep-alive connection to the router's copy at a
 * time, sending requests of the shapes real callers send and reading each answer before the next, with
 * blocking sockets (a plain loop the compiler has little to do for). Callers come and go as real ones
 * do: each ends its connection now and then, by a FIN or a reset, and opens another.
 */
final class WarmCaller {
  /**
   * How many requests a plaintext warm-up connection sends before it ends and makes a new one: callers
   * come and go (a load generator's run ends, a client's pool closes idle connections), and the accept
   * and close paths that would otherwise first run on real traffic run here.
   */
  private static final int PLAIN_REQUESTS_PER_CONNECTION = 500;
  /** Over TLS, how many requests a warm-up connection sends before it makes a new one. */
  private static final int TLS_REQUESTS_PER_CONNECTION = 100;
  /** How long a caller over TLS waits for the copy's answer (its handshake included). */
  private static final int TLS_READ_TIMEOUT_MS = 10_000;

  private WarmCaller() {}

  /**
   * Requests of the shapes real callers send, so the compiled code fits them: a name or an address
   * with a port as {@code Host} (Undertow checks each differently), a query, the usual client headers,
   * a small body to hold, and an answer larger than one read.
   */
  static byte[][] requests() {
    String[] texts = {
      "GET / HTTP/1.1\r\nHost: " + Warmup.HOSTS[2] + "\r\n\r\n",
      "GET /warmup/a/b HTTP/1.1\r\nHost: " + Warmup.HOSTS[0] + "\r\nUser-Agent: turnout-warmup\r\nAccept: */*\r\n\r\n",
      "GET /warmup/c?larger=1 HTTP/1.1\r\nHost: " + Warmup.HOSTS[1] + "\r\nAccept-Encoding: gzip\r\n\r\n",
      "POST /warmup/d HTTP/1.1\r\nHost: " + Warmup.HOSTS[0] + "\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"warm\":true}",
    };
    byte[][] out = new byte[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      out[i] = texts[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  /**
   * One keep-alive connection sending requests until told to stop; reconnects after any error, and
   * after {@link #PLAIN_REQUESTS_PER_CONNECTION} requests (the first connection and every second one
   * after it ending by a reset). Over TLS ({@code tls} present) it reconnects every {@link
   * #TLS_REQUESTS_PER_CONNECTION} requests instead, always with a FIN, so that the server's handshake
   * is warmed as well as its record layer.
   */
  static void call(
      int port, AtomicBoolean stop, AtomicBoolean closing, Warmup.Counts counts, Optional<SSLSocketFactory> tls) {
    byte[][] shapes = requests();
    // Mostly the plainest shape, as most traffic is.
    int[] order = {0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 3};
    int next = 0;
    int connections = 0;
    byte[] buf = new byte[8192];
    while (!stop.get()) {
      try (Socket plain = new Socket()) {
        plain.setTcpNoDelay(true);
        // A cold JVM's first TLS exchanges take seconds on a busy machine (handshake and first request,
        // interpreted at both ends): a caller that gave up on them would close the connection and pay
        // for another cold handshake, again and again, and be answered only now and then.
        plain.setSoTimeout(tls.isPresent() ? TLS_READ_TIMEOUT_MS : 2_000);
        plain.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        Socket s = plain;
        if (tls.isPresent()) {
          javax.net.ssl.SSLSocket secure = (javax.net.ssl.SSLSocket) tls.get().createSocket(plain, WarmTls.NAME, port, true);
          secure.startHandshake();
          counts.serverHandshakes.increment();
          s = secure;
        }
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        int sent = 0;
        int perConnection = tls.isPresent() ? TLS_REQUESTS_PER_CONNECTION : PLAIN_REQUESTS_PER_CONNECTION;
        if (tls.isEmpty() && ++connections % 2 == 1) {
          plain.setSoLinger(true, 0); // this one ends with a reset rather than a FIN
        }
        while (!stop.get() && sent++ < perConnection) {
          out.write(shapes[order[next++ % order.length]]);
          int status = readResponse(in, buf);
          if (closing.get()) {
            break; // the round is over and its copy closing: what it answers now is not counted
          }
          if (status < 0) {
            counts.broken.increment();
            break;
          }
          counts.requests.increment();
          if (status == 200) {
            counts.ok.increment();
          }
        }
      } catch (IOException e) {
        // the proxy closed or refused: count it, open a new connection and go on
        if (!stop.get()) {
          counts.broken.increment();
        }
      }
    }
  }

  /**
   * Reads one response with a Content-Length body (what the proxy sends for the loopback backend's
   * answer and for its own errors); returns its status, or -1 when the connection can't be reused.
   */
  static int readResponse(InputStream in, byte[] buf) throws IOException {
    int have = 0;
    int headEnd = -1;
    while (headEnd < 0) {
      if (have == buf.length) {
        return -1;
      }
      int n = in.read(buf, have, buf.length - have);
      if (n < 0) {
        return -1;
      }
      have += n;
      headEnd = indexOfBlankLine(buf, have);
    }
    String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
    if (head.length() < 12 || !head.startsWith("HTTP/1.1 ")) {
      return -1;
    }
    int status = Integer.parseInt(head.substring(9, 12));
    long length = contentLength(head);
    if (length < 0) {
      return -1;
    }
    long left = length - (have - (headEnd + 4));
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        return -1;
      }
      left -= n;
    }
    return left == 0 ? status : -1;
  }

  private static int indexOfBlankLine(byte[] b, int len) {
    for (int i = 3; i < len; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        return i - 3;
      }
    }
    return -1;
  }

  /**
   * The Content-Length of a response head, or -1. Plain scanning rather than split or regex: whatever
   * the warm-up's own client runs is compiled too, and competes with the proxy's code for the compiler.
   */
  static long contentLength(String head) {
    String name = "content-length:";
    for (int line = head.indexOf("\r\n"); line >= 0; line = head.indexOf("\r\n", line + 2)) {
      int from = line + 2;
      if (head.regionMatches(true, from, name, 0, name.length())) {
        int to = head.indexOf("\r\n", from);
        String value = head.substring(from + name.length(), to < 0 ? head.length() : to).trim();
        try {
          return Long.parseLong(value);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
