package dev.turnout.proxy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw HTTP/2 client for sending what no well-behaved client library sends: frames written byte by
 * byte (RFC 9113 section 4.1), header blocks as HPACK literals without indexing or Huffman coding (RFC
 * 7541 section 6.2.2), and every frame the server sends read back as it came.
 */
final class H2Wire implements AutoCloseable {
  static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8;
  static final int END_STREAM = 1, END_HEADERS = 4, ACK = 1;

  /** One frame as read; {@code code()} is the error code of an RST_STREAM or GOAWAY. */
  record Frame(int type, int flags, int stream, byte[] payload) {
    int code() {
      int at = type == GOAWAY ? 4 : 0;
      return (payload[at] & 0xff) << 24 | (payload[at + 1] & 0xff) << 16 | (payload[at + 2] & 0xff) << 8 | payload[at + 3] & 0xff;
    }

    @Override
    public String toString() {
      String[] names = {"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"};
      String name = type < names.length ? names[type] : "type " + type;
      String detail = type == RST_STREAM || type == GOAWAY ? " code " + code() : "";
      if (type == GOAWAY && payload.length > 8) {
        detail += " \"" + new String(payload, 8, payload.length - 8, StandardCharsets.US_ASCII) + "\"";
      }
      return name + " stream " + stream + " flags " + flags + " length " + payload.length + detail;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  /** Connects to {@code port} on loopback and sends the client preface and an empty SETTINGS. */
  H2Wire(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] head = {
      (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
      (byte) type, (byte) flags,
      (byte) (stream >>> 24 & 0x7f), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream
    };
    out.write(head);
    out.write(payload);
    out.flush();
  }

  /** A HEADERS frame carrying {@code nameValues} (name, value, name, value...), pseudo-headers first. */
  void headers(int stream, boolean endStream, String... nameValues) throws IOException {
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(nameValues));
  }

  /** A gRPC call's head: POST to {@code path}, {@code :authority} {@code authority}. */
  void grpcHead(int stream, String authority, String path) throws IOException {
    headers(stream, false, ":method", "POST", ":scheme", "http", ":path", path, ":authority", authority,
        "content-type", "application/grpc", "te", "trailers");
  }

  static byte[] block(String... nameValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < nameValues.length; i += 2) {
      b.write(0); // literal without indexing, new name
      string(b, nameValues[i]);
      string(b, nameValues[i + 1]);
    }
    return b.toByteArray();
  }

  private static void string(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    integer(b, bytes.length, 7, 0);
    b.writeBytes(bytes);
  }

  /** RFC 7541 section 5.1: an integer in an N-bit prefix, then 7 bits a byte. */
  private static void integer(ByteArrayOutputStream b, int value, int prefixBits, int flags) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      b.write(flags | value);
      return;
    }
    b.write(flags | max);
    value -= max;
    while (value >= 128) {
      b.write(value % 128 + 128);
      value /= 128;
    }
    b.write(value);
  }

  /** The next frame the server sends; empty when it closed the connection or sent nothing in time. */
  java.util.Optional<Frame> next() throws IOException {
    byte[] head = new byte[9];
    try {
      in.readFully(head);
    } catch (EOFException | SocketTimeoutException e) {
      return java.util.Optional.empty();
    } catch (IOException reset) {
      return java.util.Optional.empty();
    }
    int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
    int stream = (head[5] & 0x7f) << 24 | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | head[8] & 0xff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    Frame f = new Frame(head[3] & 0xff, head[4] & 0xff, stream, payload);
    if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
      try {
        frame(SETTINGS, ACK, 0, new byte[0]);
      } catch (IOException closed) {
        // The server may already have answered a bad frame with GOAWAY and closed; what it sent before
        // closing is still to be read.
      }
    }
    return java.util.Optional.of(f);
  }

  /**
   * Frames until one matches {@code until} (included), the connection closes, or nothing comes for
   * the socket's timeout; SETTINGS, PING and WINDOW_UPDATE frames are left out of the list.
   */
  List<Frame> readUntil(java.util.function.Predicate<Frame> until) throws IOException {
    List<Frame> got = new ArrayList<>();
    while (true) {
      java.util.Optional<Frame> f = next();
      if (f.isEmpty()) {
        return got;
      }
      int t = f.get().type();
      if (t != SETTINGS && t != PING && t != WINDOW_UPDATE) {
        got.add(f.get());
      }
      if (until.test(f.get())) {
        return got;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
