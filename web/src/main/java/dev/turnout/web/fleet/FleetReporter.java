package dev.turnout.web.fleet;

import dev.turnout.metrics.TrafficView;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this process's {@link FleetReport} every {@code every}: its routers' state (what each routes by,
 * whom it follows) and its live figures. Where a report goes is the {@code sink}'s business: a
 * control plane records its own in the store, a proxy posts its to the control plane it follows. A
 * failing sink is logged when it starts failing and when it recovers, not on every report.
 */
public final class FleetReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetReporter.class);

  private final String instance;
  private final String role;
  private final String admin;
  private final Supplier<List<FleetReport.RouterReport>> routers;
  private final TrafficView traffic;
  private final Consumer<FleetReport> sink;
  private final Clock clock;
  private final Duration every;
  private final long startedAt;
  private final Thread thread;
  private final Object wake = new Object();
  private volatile boolean closed;
  /** Rounds failed in a row; a failure is logged once it has lasted a few rounds, not for one slow one. */
  private int failedRounds;

  private static final int LOG_AFTER = 3;

  public FleetReporter(
      String instance,
      String role,
      String admin,
      Supplier<List<FleetReport.RouterReport>> routers,
      TrafficView traffic,
      Consumer<FleetReport> sink,
      Clock clock,
      Duration every) {
    this.instance = instance;
    this.role = role;
    this.admin = admin;
    this.routers = routers;
    this.traffic = traffic;
    this.sink = sink;
    this.clock = clock;
    this.every = every;
    this.startedAt = clock.millis();
    this.thread = new Thread(this::run, "turnout-fleet-report");
    thread.setDaemon(true);
    thread.start();
  }

  /** The report as of now. */
  public FleetReport report() {
    return new FleetReport(instance, role, admin, startedAt, clock.millis(), routers.get(), traffic.routers());
  }

  private void run() {
    while (!closed) {
      try {
        sink.accept(report());
        if (failedRounds >= LOG_AFTER) {
          log.info("fleet reports are getting through again");
        }
        failedRounds = 0;
      } catch (RuntimeException e) {
        if (++failedRounds == LOG_AFTER) {
          log.warn("cannot send this process's fleet report ({}); trying again every {} ms",
              e.getMessage(), every.toMillis());
        }
      }
      synchronized (wake) {
        if (!closed) {
          try {
            wake.wait(every.toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (wake) {
      wake.notifyAll();
    }
  }
}
