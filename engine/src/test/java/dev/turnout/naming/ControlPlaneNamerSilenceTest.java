package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.testing.Await;
import io.undertow.Undertow;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a proxy's control-plane namer does with streams that say nothing more: one gone silent (its
 * host vanished without closing the connection) is given up for the next control plane, and names
 * the control plane answered Neg make room for new ones.
 */
class ControlPlaneNamerSilenceTest {
  private final CountDownLatch end = new CountDownLatch(1);
  private final List<Undertow> servers = new ArrayList<>();
  private ControlPlaneNamer namer;

  @AfterEach
  void stop() {
    if (namer != null) {
      namer.close();
    }
    end.countDown();
    servers.forEach(Undertow::stop);
  }

  /**
   * A control plane that answers a bind watch of {@code /#/io.l5d.fs/users} with one leaf on {@code
   * port}, and of any other name with neg, and then says nothing.
   */
  private int silentControlPlane(int port) {
    String leaf = "{\"type\":\"leaf\",\"bound\":{\"addr\":{\"type\":\"bound\",\"addrs\":[{\"ip\":\"127.0.0.1\",\"port\":"
        + port + ",\"meta\":{}}],\"meta\":{}},\"id\":\"/#/io.l5d.fs/users\",\"path\":\"/\"}}\n";
    Undertow server = Undertow.builder()
        .addHttpListener(0, "127.0.0.1")
        .setWorkerThreads(ControlPlaneNamer.MAX_NAMES + 8) // each open stream holds one
        .setHandler(ex -> ex.dispatch(() -> {
          String line = "/#/io.l5d.fs/users".equals(ex.getQueryParameters().get("path").getFirst()) ? leaf : "{\"type\":\"neg\"}\n";
          ex.startBlocking();
          ex.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
          try {
            OutputStream out = ex.getOutputStream();
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.flush();
            end.await(30, TimeUnit.SECONDS); // silent from here on, the connection left open
          } catch (Exception e) {
            // the test is over
          }
          ex.endExchange();
        }))
        .build();
    server.start();
    servers.add(server);
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  @Test
  void aSilentStreamIsGivenUpAndTheNextControlPlaneFollowed() {
    int first = silentControlPlane(1111);
    int second = silentControlPlane(2222);
    namer = new ControlPlaneNamer(
        List.of("127.0.0.1:" + first, "127.0.0.1:" + second),
        "default", Optional.empty(), Duration.ofMillis(500));

    NameTree<Name> tree = namer.lookup(Path.read("/io.l5d.fs/users"));
    Name.Resolved resolved = (Name.Resolved) ((NameTree.Leaf<Name>) tree).value();

    Await.until(Duration.ofSeconds(10), () -> port(resolved.bound().addr().get()) == 1111);
    Await.until(Duration.ofSeconds(10), () -> port(resolved.bound().addr().get()) == 2222);
  }

  @Test
  void namesTheControlPlaneAnsweredNegMakeRoomForANewOne() {
    int plane = silentControlPlane(1111);
    namer = new ControlPlaneNamer(List.of("127.0.0.1:" + plane), "default", Optional.empty());
    List<NameTree<Name>> madeUp = new ArrayList<>();
    for (int i = 0; i < ControlPlaneNamer.MAX_NAMES; i++) {
      madeUp.add(namer.lookup(Path.read("/io.l5d.fs/made-up-" + i)));
    }
    Await.until(Duration.ofSeconds(20), () -> {
      for (int i = 0; i < ControlPlaneNamer.MAX_NAMES; i++) {
        if (!(namer.lookup(Path.read("/io.l5d.fs/made-up-" + i)) instanceof NameTree.Neg)) {
          return false;
        }
      }
      return true;
    });
    long before = namer.generation();

    NameTree<Name> tree = namer.lookup(Path.read("/io.l5d.fs/users"));

    assertThat(tree).isInstanceOf(NameTree.Leaf.class);
    Name.Resolved resolved = (Name.Resolved) ((NameTree.Leaf<Name>) tree).value();
    Await.until(Duration.ofSeconds(10), () -> port(resolved.bound().addr().get()) == 1111);
    assertThat(namer.generation()).as("callers are told a name was dropped").isGreaterThan(before);
  }

  private static int port(Addr a) {
    return a instanceof Addr.Bound b && !b.addresses().isEmpty() ? b.addresses().get(0).port() : -1;
  }
}
