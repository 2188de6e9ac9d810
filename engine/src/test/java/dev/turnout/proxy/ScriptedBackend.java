package dev.turnout.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a loopback port that answers with exactly the bytes a test scripts, written in the
 * pieces it chooses: for what a real server would never send (broken heads, odd framing, closes at
 * awkward moments). Each connection is served by its own thread; requests are read by their head and
 * Content-Length.
 */
final class ScriptedBackend implements AutoCloseable {
  /** What to do with one request: write to {@code out}, and return false to close the connection after. */
  interface Script {
    boolean answer(Request request, OutputStream out) throws IOException;
  }

  /** One request as the backend read it: its head and body, and its number on its connection. */
  record Request(String head, byte[] body, int connection, int onConnection) {
    String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }
  }

  private final ServerSocket server;
  private final Script script;
  final AtomicInteger connections = new AtomicInteger();
  /** Connections the proxy closed (the backend read their end) while the backend kept them open. */
  final AtomicInteger closedByProxy = new AtomicInteger();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  ScriptedBackend(Script script) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.script = script;
    Thread accept = new Thread(this::accept, "scripted-backend-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException closed) {
        return;
      }
      int number = connections.incrementAndGet();
      open.add(s);
      Thread t = new Thread(() -> serve(s, number), "scripted-backend-" + number);
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket s, int number) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (int n = 1; ; n++) {
        Request r = read(in, number, n);
        if (r == null) {
          closedByProxy.incrementAndGet();
          return;
        }
        requests.add(r);
        if (!script.answer(r, out)) {
          return;
        }
        out.flush();
      }
    } catch (IOException gone) {
      // the proxy closed the connection
    }
  }

  private static Request read(InputStream in, int connection, int n) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return new Request(text, body, connection, n);
  }

  /** Writes {@code text} and flushes, so the proxy may well read it apart from what follows. */
  static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
