package dev.turnout.naming;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every stream that follows a control plane shares: how long one may say nothing before it is
 * taken for dead, and the one thread that checks them all. A Turnout control plane's watch streams
 * carry a blank line every 30 s, so {@link #SILENCE} is that with room to spare; a host that vanished
 * without closing its connections would otherwise hold a blocked read for good.
 */
public final class Watchdog {
  /** How long a watch stream may say nothing before it is taken for dead. */
  public static final Duration SILENCE = Duration.ofSeconds(45);

  /** One daemon thread for every follower's silence check. */
  public static final ScheduledExecutorService THREAD =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "turnout-follow-watchdog");
        t.setDaemon(true);
        return t;
      });

  private Watchdog() {}

  /** Closes a stream to end a read blocked on it; an error while closing changes nothing. */
  public static void closeQuietly(InputStream s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing only to end the read
    }
  }
}
