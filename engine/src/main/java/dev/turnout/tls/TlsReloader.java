package dev.turnout.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts certificate files that changed on disk in force without a restart. Every {@code every}
 * (measured on the injected ticker, in nanoseconds) it reads the files of each watched TLS block and,
 * where any differs from what was last loaded, loads the block again: handshakes from then on use the
 * new material, connections already open finish on the old. A change that cannot be used (a key that
 * no longer matches, a half-written file, an expired certificate) leaves the old material in force,
 * is logged once, and stays in {@link #problems()} (for {@code /health}) until a later change loads.
 *
 * <p>{@link #start()} polls from one daemon thread once a second; tests call {@link #poll()} after
 * moving their ticker instead. Files are compared by content, not by time stamp, so a replacement
 * within the same second, or a Kubernetes secret's symlink swap, is seen all the same.
 */
public final class TlsReloader implements AutoCloseable {
  /** How often files are read: with the one-second poll, new files are in force within 3 s. */
  public static final Duration EVERY = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(TlsReloader.class);

  private final LongSupplier ticker;
  private final long everyNanos;
  private final List<Entry> entries = new CopyOnWriteArrayList<>();
  private long lastCheck;
  private ScheduledExecutorService poller;

  /** One watched block, with the contents of its files when last tried and what went wrong then. */
  private static final class Entry {
    final Watched watched;
    List<byte[]> tried;
    volatile String problem;

    Entry(Watched watched, List<byte[]> tried) {
      this.watched = watched;
      this.tried = tried;
    }
  }

  public TlsReloader(LongSupplier ticker, Duration every) {
    if (every.isNegative()) {
      throw new IllegalArgumentException("every must not be negative, not " + every);
    }
    this.ticker = ticker;
    this.everyNanos = every.toNanos();
    this.lastCheck = ticker.getAsLong();
  }

  /** Checks every {@link #EVERY} on the system's clock; call {@link #start()} to poll. */
  public static TlsReloader system() {
    return new TlsReloader(System::nanoTime, EVERY);
  }

  public ServerTls watch(ServerTls tls) {
    add(tls.watched());
    return tls;
  }

  public ClientTls watch(ClientTls tls) {
    add(tls.watched());
    return tls;
  }

  private void add(Watched w) {
    if (!w.files().isEmpty()) {
      entries.add(new Entry(w, contents(w)));
    }
  }

  /** Polls once a second from a daemon thread, until closed. */
  public synchronized TlsReloader start() {
    if (poller == null) {
      poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "turnout-tls-reload");
        t.setDaemon(true);
        return t;
      });
      poller.scheduleWithFixedDelay(this::pollQuietly, 1, 1, TimeUnit.SECONDS);
    }
    return this;
  }

  /** Reads the watched files if {@code every} has passed since the last read, and loads what changed. */
  public synchronized void poll() {
    long now = ticker.getAsLong();
    if (now - lastCheck < everyNanos) {
      return;
    }
    lastCheck = now;
    for (Entry e : entries) {
      List<byte[]> current = contents(e.watched);
      if (same(current, e.tried)) {
        continue;
      }
      e.tried = current;
      try {
        e.watched.reload().run();
        if (e.problem != null) {
          log.info("{}: the new TLS files are in force; the earlier problem is gone", e.watched.where());
        } else {
          log.info("{}: changed TLS files are in force for new connections", e.watched.where());
        }
        e.problem = null;
      } catch (RuntimeException ex) {
        String line = ex.getMessage() + " (still using the files loaded before)";
        if (!line.equals(e.problem)) {
          log.warn("{}", line);
        }
        e.problem = line;
      }
    }
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      log.warn("checking TLS files failed: {}", e.toString());
    }
  }

  /** One line per watched block whose changed files could not be used: the file and the reason. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      String p = e.problem;
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /** The files' contents now; a file that cannot be read counts as empty, which differs from any PEM. */
  private static List<byte[]> contents(Watched w) {
    List<byte[]> out = new ArrayList<>();
    for (Path f : w.files()) {
      try {
        out.add(Pem.bytes(w.where(), f));
      } catch (TlsException e) {
        out.add(new byte[0]);
      }
    }
    return out;
  }

  private static boolean same(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }
}
