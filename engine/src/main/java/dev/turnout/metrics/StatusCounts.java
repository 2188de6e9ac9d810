package dev.turnout.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Responses by status code, 100 to 599, for Linkerd's {@code status:<code>} and {@code status:<N>XX}
 * series. A code's counter is a {@link LongAdder} (striped under contention), made the first time the
 * code is seen; after that a count allocates nothing. The table of counters itself is made on the first
 * count, so a scope that never answers (an endpoint of a client no request reached) costs a reference.
 * A class ({@code 2XX}) is the sum of its codes, worked out when read.
 */
final class StatusCounts {
  private static final int FIRST = 100;
  private static final int LAST = 599;
  private volatile AtomicReferenceArray<LongAdder> byCode;

  /** Counts one response with {@code status}; a code outside 100-599 is not counted. */
  void add(int status) {
    if (status < FIRST || status > LAST) {
      return;
    }
    AtomicReferenceArray<LongAdder> table = byCode;
    if (table == null) {
      synchronized (this) {
        if (byCode == null) {
          byCode = new AtomicReferenceArray<>(LAST - FIRST + 1);
        }
        table = byCode;
      }
    }
    LongAdder n = table.get(status - FIRST);
    if (n == null) {
      table.compareAndSet(status - FIRST, null, new LongAdder());
      n = table.get(status - FIRST);
    }
    n.increment();
  }

  /** Counts by code, in code order; codes never seen are left out. */
  Map<Integer, Long> byCode() {
    Map<Integer, Long> out = new TreeMap<>();
    AtomicReferenceArray<LongAdder> table = byCode;
    if (table != null) {
      for (int i = 0; i < table.length(); i++) {
        LongAdder n = table.get(i);
        if (n != null) {
          out.put(FIRST + i, n.sum());
        }
      }
    }
    return out;
  }

  /** Counts by class ({@code 2XX}), in class order; classes never seen are left out. */
  Map<String, Long> byClass() {
    Map<String, Long> out = new TreeMap<>();
    byCode().forEach((code, n) -> out.merge((code / 100) + "XX", n, Long::sum));
    return out;
  }
}
