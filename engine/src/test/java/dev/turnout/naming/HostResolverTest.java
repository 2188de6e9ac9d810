package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Await;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Host names of /$/inet: resolved on the resolver's threads, re-resolved every ttl, as Finagle does. */
class HostResolverTest {
  private final AtomicLong now = new AtomicLong(1);
  private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();
  private final Map<String, String> askedOn = new ConcurrentHashMap<>();
  private final ExecutorService dnsThreads = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-dns"));
  /** DNS is the boundary here: a table of answers, on loopback addresses only. */
  private final HostResolver resolver =
      new HostResolver(
          host -> {
            askedOn.put(host, Thread.currentThread().getName());
            List<InetAddress> a = answers.get(host);
            if (a == null) {
              throw new UnknownHostException(host);
            }
            return a;
          },
          dnsThreads,
          now::get,
          Duration.ofSeconds(30));

  @AfterEach
  void stop() {
    dnsThreads.shutdownNow();
  }

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  @Test
  void aHostNameIsPendingUntilResolvedOnTheResolversThread() throws Exception {
    answers.put("users.test", List.of(ip("127.0.0.7"), ip("::1")));

    Var<Addr> addr = resolver.addr("users.test", 8080);

    Await.until(Duration.ofSeconds(5), () -> addr.get() instanceof Addr.Bound);
    assertThat(((Addr.Bound) addr.get()).addresses())
        .containsExactly(new Address("127.0.0.7", 8080), new Address("0:0:0:0:0:0:0:1", 8080));
    assertThat(askedOn).containsEntry("users.test", "test-dns");
  }

  @Test
  void anUnknownHostIsNeg() {
    Var<Addr> addr = resolver.addr("nowhere.test", 80);

    Await.until(Duration.ofSeconds(5), () -> !(addr.get() instanceof Addr.Pending));
    assertThat(addr.get()).isEqualTo(new Addr.Neg());
  }

  @Test
  void aHostIsResolvedAgainOnlyOnceItsTtlHasPassed() throws Exception {
    answers.put("users.test", List.of(ip("127.0.0.7")));
    Var<Addr> addr = resolver.addr("users.test", 8080);
    Await.until(Duration.ofSeconds(5), () -> addr.get() instanceof Addr.Bound);
    answers.put("users.test", List.of(ip("127.0.0.8")));

    now.addAndGet(Duration.ofSeconds(29).toNanos());
    resolver.refreshDue();
    dnsThreads.submit(() -> {}).get();
    Addr before = addr.get();
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    resolver.refreshDue();

    assertThat(before).isEqualTo(new Addr.Bound(List.of(new Address("127.0.0.7", 8080))));
    Await.until(
        Duration.ofSeconds(5),
        () -> addr.get().equals(new Addr.Bound(List.of(new Address("127.0.0.8", 8080)))));
  }

  @Test
  void everyoneBindingTheSameHostAndPortSharesOneVariable() {
    answers.put("users.test", List.of());

    assertThat(resolver.addr("users.test", 1)).isSameAs(resolver.addr("users.test", 1));
  }
}
