package dev.turnout.naming.dnssrv;

import dev.turnout.config.NamerConfig.DnsServer;
import dev.turnout.testing.Await;
import dev.turnout.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real DNS server for tests: Debian's dnsmasq ({@code /usr/sbin/dnsmasq}, package dnsmasq-base) in the
 * foreground as a child process, on 127.0.0.1 and a free port, answering only from the records it is
 * given (a config file of {@code srv-host=} and {@code host-record=} lines) and from a hosts directory it
 * rereads by itself when a file there changes. Names under {@code .test} that it does not hold are
 * NXDOMAIN. {@link #restart(List)} stops it and starts it again on the same port with other records.
 */
public final class Dnsmasq implements AutoCloseable {
  public static final String BINARY = "/usr/sbin/dnsmasq";

  private final Path dir;
  private final int port;
  private Process process;

  private Dnsmasq(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts dnsmasq with {@code lines} of its config syntax ({@code srv-host=_http._tcp.users.test,a.test,8080,0,1},
   * {@code host-record=a.test,127.0.0.1}); waits until it answers.
   */
  public static Dnsmasq start(Path dir, List<String> lines) {
    Dnsmasq d = new Dnsmasq(dir, Ports.free());
    d.launch(lines);
    return d;
  }

  public static String srv(String name, String target, int port, int priority, int weight) {
    return "srv-host=" + name + "," + target + "," + port + "," + priority + "," + weight;
  }

  public static String host(String name, String address) {
    return "host-record=" + name + "," + address;
  }

  public int port() {
    return port;
  }

  public DnsServer server() {
    return new DnsServer("127.0.0.1", port);
  }

  /** The directory dnsmasq watches for hosts files ({@code ADDRESS NAME} lines), read again on change. */
  public Path hostsDir() {
    return dir.resolve("hosts.d");
  }

  /** Stops the server and starts it again, on the same port, with {@code lines} instead. */
  public void restart(List<String> lines) {
    stop();
    launch(lines);
  }

  /** Stops the server; queries to its port then go unanswered. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  private void launch(List<String> lines) {
    try {
      Files.createDirectories(hostsDir());
      Path conf = dir.resolve("dnsmasq.conf");
      Files.write(conf, lines);
      List<String> cmd = new ArrayList<>();
      cmd.add(BINARY);
      cmd.add("--keep-in-foreground");
      cmd.add("--conf-file=" + conf);
      cmd.add("--no-resolv");
      cmd.add("--no-hosts");
      cmd.add("--port=" + port);
      cmd.add("--listen-address=127.0.0.1");
      cmd.add("--bind-interfaces");
      cmd.add("--local=/test/");
      cmd.add("--hostsdir=" + hostsDir());
      cmd.add("--cache-size=0");
      cmd.add("--pid-file=" + dir.resolve("dnsmasq.pid"));
      cmd.add("--user=" + System.getProperty("user.name"));
      cmd.add("--log-facility=" + dir.resolve("dnsmasq.log"));
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dnsmasq.out").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    Await.until("dnsmasq answering on port " + port, Duration.ofSeconds(10), this::answers);
  }

  private boolean answers() {
    if (!process.isAlive()) {
      String out;
      try {
        out = Files.readString(dir.resolve("dnsmasq.out"));
      } catch (IOException e) {
        out = e.toString();
      }
      throw new IllegalStateException("dnsmasq exited with " + process.exitValue() + ": " + out);
    }
    try {
      SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
      r.setTimeout(Duration.ofMillis(200));
      Message m = r.send(Message.newQuery(Record.newRecord(org.xbill.DNS.Name.fromString("probe.test."), Type.A, DClass.IN)));
      return m.getRcode() == Rcode.NXDOMAIN || m.getRcode() == Rcode.NOERROR;
    } catch (IOException e) {
      return false;
    }
  }
}
