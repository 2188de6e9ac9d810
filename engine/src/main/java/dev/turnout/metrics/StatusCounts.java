package dev.turnout.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Responses by status code, 100 to 599, for Linkerd's {@code status:<code>} and {@code status:<N>XX}
 * series. The first {@link StripedCounts#CODE_SLOTS} codes a stripe sees are counted in that stripe's
 * block of the scope's {@link StripedCounts}, beside the request counters the same answer updates; a
 * stripe's further codes (rare: a scope answers with few codes) go to a table of {@link LongAdder}s, one
 * made the first time a code overflows, the table itself on the first overflow. Either way a count
 * allocates nothing after the first of its code, and each answer is counted in exactly one place. A
 * class ({@code 2XX}) is the sum of its codes, worked out when read.
 */
final class StatusCounts {
  private static final int FIRST = 100;
  private static final int LAST = 599;
  private final StripedCounts striped;
  private volatile AtomicReferenceArray<LongAdder> byCode;

  StatusCounts(StripedCounts striped) {
    this.striped = striped;
  }

  /**
   * Counts one response with {@code status} in {@code stripe}, the calling thread's {@link
   * Stripe#index()}; a code outside 100-599 is not counted.
   */
  void add(int stripe, int status) {
    if (status < FIRST || status > LAST || striped.addStatus(stripe, status)) {
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
    striped.statusesInto(out);
    AtomicReferenceArray<LongAdder> table = byCode;
    if (table != null) {
      for (int i = 0; i < table.length(); i++) {
        LongAdder n = table.get(i);
        if (n != null) {
          out.merge(FIRST + i, n.sum(), Long::sum);
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
