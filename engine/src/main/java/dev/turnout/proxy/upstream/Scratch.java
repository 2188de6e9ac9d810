package dev.turnout.proxy.upstream;

import java.nio.ByteBuffer;

/**
 * Per IO thread: the array request heads are encoded into and the buffer answers are read into, used
 * only while one event runs. A request holds a buffer of its own ({@code pool}'s) only while bytes
 * must wait between events, never while the backend thinks: a pooled buffer per request in flight
 * would overflow the pool's per-thread cache under load and have it allocate and free direct memory,
 * and each pool call takes a lock.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);

  /** The head of the request being sent, written line by line from the caller's headers. */
  final Http1Head head = new Http1Head();

  ByteBuffer read;

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
