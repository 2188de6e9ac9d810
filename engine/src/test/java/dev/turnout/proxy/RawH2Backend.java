package dev.turnout.proxy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/2 backend written frame by frame over a plain socket (h2c prior knowledge), that never
 * answers a request: it refuses or resets each stream, or goes away, as the test asks, which is what a
 * real server does under load or at shutdown, and which grpc-java's server cannot be told to do on
 * demand. It sends its own SETTINGS first (a large window, so a client may send 100s of KiB), answers
 * the client's SETTINGS and PINGs, and records the SETTINGS each client connection sent.
 */
final class RawH2Backend implements AutoCloseable {
  enum Mode {
    /** RST_STREAM REFUSED_STREAM on each request's HEADERS. */
    REFUSE,
    /** RST_STREAM REFUSED_STREAM at a request's first DATA frame: the client has begun its body. */
    REFUSE_AT_DATA,
    /** RST_STREAM REFUSED_STREAM once a request's body has passed 80 KiB. */
    REFUSE_AFTER_80K,
    /** GOAWAY with last stream 0 (NO_ERROR) at the first HEADERS, then read until the client closes. */
    GOAWAY,
    /** RST_STREAM INTERNAL_ERROR on each request's HEADERS: the request was processed, and failed. */
    RESET_INTERNAL,
    /**
     * GOAWAY NO_ERROR with last stream = the request's at its HEADERS (a graceful shutdown), then, once
     * the request's body has ended, a whole gRPC answer on that stream: one message {@link #ANSWER}
     * and {@code grpc-status: 0}.
     */
    GOAWAY_THEN_ANSWER
  }

  /** The one message of {@link Mode#GOAWAY_THEN_ANSWER}'s answers. */
  static final String ANSWER = "raw:answered after GOAWAY";

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8;

  private final ServerSocket server;
  private final Mode mode;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  /** Requests (HEADERS frames) seen, on every connection. */
  final AtomicInteger streams = new AtomicInteger();
  final AtomicInteger connections = new AtomicInteger();
  /** The SETTINGS (id to value) each client connection sent first. */
  final List<Map<Integer, Long>> clientSettings = new CopyOnWriteArrayList<>();

  RawH2Backend(Mode mode) throws IOException {
    this.mode = mode;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "raw-h2-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "raw-h2-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      byte[] preface = new byte[PREFACE.length];
      in.readFully(preface);
      // our SETTINGS: INITIAL_WINDOW_SIZE 1 MiB; and the connection's window grown by 1 MiB
      frame(out, SETTINGS, 0, 0, new byte[] {0, 4, 0, 0x10, 0, 0});
      frame(out, WINDOW_UPDATE, 0, 0, new byte[] {0, 0x10, 0, 0});
      Map<Integer, Long> dataSeen = new ConcurrentHashMap<>();
      boolean firstSettings = true;
      boolean gone = false;
      while (true) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (gone) {
          continue;
        }
        switch (type) {
          case SETTINGS -> {
            if ((flags & 1) == 0) {
              if (firstSettings) {
                firstSettings = false;
                clientSettings.add(settings(payload));
              }
              frame(out, SETTINGS, 1, 0, new byte[0]);
            }
          }
          case PING -> {
            if ((flags & 1) == 0) {
              frame(out, PING, 1, 0, payload);
            }
          }
          case HEADERS -> {
            streams.incrementAndGet();
            switch (mode) {
              case REFUSE -> rst(out, stream, 7);
              case RESET_INTERNAL -> rst(out, stream, 2);
              case GOAWAY -> {
                frame(out, GOAWAY, 0, 0, new byte[] {0, 0, 0, 0, 0, 0, 0, 0});
                gone = true;
              }
              case GOAWAY_THEN_ANSWER -> {
                byte[] last = {(byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream, 0, 0, 0, 0};
                frame(out, GOAWAY, 0, 0, last);
                if ((flags & 1) != 0) {
                  answer(out, stream);
                } else {
                  dataSeen.put(stream, 0L);
                }
              }
              default -> dataSeen.put(stream, 0L);
            }
          }
          case DATA -> {
            Long before = dataSeen.get(stream);
            if (before != null) {
              long now = before + length;
              dataSeen.put(stream, now);
              if (mode == Mode.GOAWAY_THEN_ANSWER) {
                if ((flags & 1) != 0) {
                  dataSeen.remove(stream);
                  answer(out, stream);
                }
              } else if (mode == Mode.REFUSE_AT_DATA || (mode == Mode.REFUSE_AFTER_80K && now > 80 * 1024)) {
                dataSeen.remove(stream);
                rst(out, stream, 7);
              }
            }
          }
          default -> {}
        }
      }
    } catch (EOFException e) {
      // the client closed
    } catch (IOException e) {
      // closed by close(), or by the client
    }
  }

  private static Map<Integer, Long> settings(byte[] p) {
    Map<Integer, Long> m = new ConcurrentHashMap<>();
    for (int i = 0; i + 6 <= p.length; i += 6) {
      int id = (p[i] & 0xff) << 8 | (p[i + 1] & 0xff);
      long v = ((long) (p[i + 2] & 0xff) << 24) | (p[i + 3] & 0xff) << 16 | (p[i + 4] & 0xff) << 8 | (p[i + 5] & 0xff);
      m.put(id, v);
    }
    return m;
  }

  /** A gRPC answer on {@code stream}: HEADERS (:status 200, content-type), one message, trailers (grpc-status 0). */
  private static void answer(OutputStream out, int stream) throws IOException {
    java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    head.write(0x88); // HPACK static table 8, :status 200
    literal(head, "content-type", "application/grpc");
    frame(out, HEADERS, 0x4, stream, head.toByteArray()); // END_HEADERS
    byte[] message = ANSWER.getBytes(StandardCharsets.US_ASCII);
    byte[] data = new byte[5 + message.length]; // gRPC framing: not compressed, 4-byte length
    data[4] = (byte) message.length;
    System.arraycopy(message, 0, data, 5, message.length);
    frame(out, DATA, 0, stream, data);
    java.io.ByteArrayOutputStream trailers = new java.io.ByteArrayOutputStream();
    literal(trailers, "grpc-status", "0");
    frame(out, HEADERS, 0x5, stream, trailers.toByteArray()); // END_STREAM, END_HEADERS
  }

  /** An HPACK literal header field without indexing, new name, no Huffman coding (strings under 127 bytes). */
  private static void literal(java.io.ByteArrayOutputStream b, String name, String value) {
    b.write(0);
    b.write(name.length());
    b.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
    b.write(value.length());
    b.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
  }

  private static void rst(OutputStream out, int stream, int code) throws IOException {
    frame(out, RST_STREAM, 0, stream, new byte[] {0, 0, 0, (byte) code});
  }

  private static synchronized void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    out.write(f);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
