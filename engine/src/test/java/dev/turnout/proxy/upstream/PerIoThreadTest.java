package dev.turnout.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/** Values per IO thread, found by thread number, on real XNIO workers. */
class PerIoThreadTest {
  private final List<XnioWorker> workers = new ArrayList<>();

  private XnioWorker worker() throws Exception {
    XnioWorker w =
        Xnio.getInstance(PerIoThreadTest.class.getClassLoader())
            .createWorker(OptionMap.builder().set(Options.WORKER_IO_THREADS, 2).getMap());
    workers.add(w);
    return w;
  }

  @AfterEach
  void stop() {
    workers.forEach(XnioWorker::shutdownNow);
  }

  /** What {@code values} gives on {@code thread}, asked on that thread. */
  private static <T> T on(XnioIoThread thread, PerIoThread<T> values) throws Exception {
    CompletableFuture<T> got = new CompletableFuture<>();
    thread.execute(() -> got.complete(values.get(thread)));
    return got.get(5, TimeUnit.SECONDS);
  }

  @Test
  void eachThreadHasOneValueMadeOnItsFirstAsk() throws Exception {
    XnioWorker w = worker();
    AtomicInteger made = new AtomicInteger();
    PerIoThread<String> values = new PerIoThread<>(t -> t.getName() + "#" + made.incrementAndGet());

    String first = on(w.getIoThread(0), values);
    String second = on(w.getIoThread(1), values);

    assertThat(on(w.getIoThread(0), values)).isSameAs(first);
    assertThat(on(w.getIoThread(1), values)).isSameAs(second);
    assertThat(first).isNotEqualTo(second);
    assertThat(made).hasValue(2);
    assertThat(values.values()).containsExactlyInAnyOrder(first, second);
  }

  @Test
  void threadsOfTwoWorkersWithTheSameNumberKeepTheirOwnValues() throws Exception {
    XnioWorker a = worker();
    XnioWorker b = worker();
    PerIoThread<Object> values = new PerIoThread<>(t -> new Object());
    assertThat(a.getIoThread(0).getNumber()).isEqualTo(b.getIoThread(0).getNumber());

    Object ofA = on(a.getIoThread(0), values);
    Object ofB = on(b.getIoThread(0), values);

    assertThat(ofB).isNotSameAs(ofA);
    assertThat(on(a.getIoThread(0), values)).isSameAs(ofA);
    assertThat(on(b.getIoThread(0), values)).isSameAs(ofB);
    assertThat(values.values()).hasSize(2);
  }
}
