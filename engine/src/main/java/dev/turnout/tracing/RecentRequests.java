package dev.turnout.tracing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code io.l5d.recentRequests}: the last {@code capacity} sampled requests and where each went, for
 * the dashboard. A ring of that many entries, overwritten oldest first; adding takes a short lock, and
 * only sampled requests add, so unsampled ones never touch it.
 */
public final class RecentRequests {
  /** One finished request. Strings are empty where the request got no further (no service name, no attempt). */
  public record Entry(
      Instant at,
      String router,
      String method,
      String path,
      String service,
      String client,
      String endpoint,
      int status,
      double latencyMillis,
      int retries) {}

  private final Entry[] ring;
  private int next;
  private int size;

  public RecentRequests(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: must be at least 1, not " + capacity);
    }
    this.ring = new Entry[capacity];
  }

  public int capacity() {
    return ring.length;
  }

  synchronized void add(Entry e) {
    ring[next] = e;
    next = (next + 1) % ring.length;
    size = Math.min(ring.length, size + 1);
  }

  /** The entries, newest first. */
  public synchronized List<Entry> latest() {
    List<Entry> out = new ArrayList<>(size);
    for (int i = 1; i <= size; i++) {
      out.add(ring[Math.floorMod(next - i, ring.length)]);
    }
    return out;
  }
}
