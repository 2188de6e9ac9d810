package dev.turnout.proxy.upstream;

import java.nio.ByteBuffer;

/**
 * Per IO thread: the array request heads are encoded into, the direct buffer a request is written
 * from, the buffer answers are read into and the array their heads are parsed from, used only while
 * one event runs; an upstream connection keeps its thread's ({@link UpstreamConnection#scratch()}), so
 * a request looks none of it up. A request holds a buffer of its own ({@code pool}'s) only while bytes
 * must wait between events, never while the backend thinks: a pooled buffer per request in flight
 * would overflow the pool's per-thread cache under load and have it allocate and free direct memory,
 * and each pool call takes a lock.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);

  /** The head of the request being sent, written line by line from the caller's headers. */
  final Http1Head head = new Http1Head();

  ByteBuffer read;

  /** The bytes an answer's head is parsed from ({@link ResponseHead#read}); grown for a longer head. */
  byte[] headBytes = new byte[ResponseHead.FIRST_LOOK];

  /**
   * Header values of recent answers, by a hash of their bytes ({@link ResponseHead}). A backend
   * repeats most of its values (Server, Content-Type, Connection, a small Content-Length, and its Date
   * for a whole second), and a string made for each of them on every answer was a tenth of a
   * request's allocation.
   */
  final String[] headValues = new String[ResponseHead.VALUES_KEPT];
  /** Direct: what {@link #out} hands to the socket. */
  private ByteBuffer out;

  /** The most bytes {@link #out} copies; a larger request goes from its arrays, as the JDK copies them. */
  static final int OUT_MAX = 16 * 1024;

  /**
   * The request as the socket takes it: {@code head} (read mode: the thread's {@link Http1Head}'s
   * bytes) and then {@code body}, if any, copied into one direct buffer (read mode); null when they are
   * more than {@link #OUT_MAX} bytes. A heap buffer handed to a socket is copied by the JDK into a
   * direct buffer of its own first, found through a thread-local cache on every write; this is the
   * same copy made into the thread's own buffer. {@code head} is left as it was.
   */
  ByteBuffer out(ByteBuffer head, byte[] body) {
    int length = head.remaining() + (body == null ? 0 : body.length);
    if (length > OUT_MAX) {
      return null;
    }
    if (out == null) {
      out = ByteBuffer.allocateDirect(OUT_MAX);
    }
    out.clear();
    out.put(head.array(), head.arrayOffset() + head.position(), head.remaining()); // the head is an array's
    if (body != null) {
      out.put(body);
    }
    return out.flip();
  }

  /**
   * Empty, in write mode; as large as the pool's buffers, so the body bytes it holds always fit in
   * one (heads do not have to: a head in parts collects in an array of its own).
   */
  ByteBuffer read(int size) {
    if (read == null || read.capacity() != size) {
      read = ByteBuffer.allocateDirect(size);
    }
    return read.clear();
  }

  /** The calling IO thread's own. */
  static Scratch ofThisThread() {
    return OF_THREAD.get();
  }
}
