package dev.turnout.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM handling: drain, then exit 0 (a plain shutdown hook would exit 143), or 1 when draining failed. Uses {@code
 * sun.misc.Signal} from the jdk.unsupported module, present in every OpenJDK; where it is missing the
 * shutdown hook still drains.
 */
final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  static void onTerminate(Runnable drain) {
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("TERM"),
          sig -> {
            boolean drained = false;
            try {
              drain.run();
              drained = true;
            } catch (Throwable t) {
              try {
                log.error("draining after SIGTERM failed", t);
              } catch (Throwable ignored) {
                // a jar replaced under the running process can't even load the logger's classes
              }
            } finally {
              if (!drained) {
                Runtime.getRuntime().halt(1);
              }
            }
            System.exit(0);
          });
    } catch (IllegalArgumentException | LinkageError e) {
      log.debug("no SIGTERM handler ({}); relying on the shutdown hook", e.toString());
    }
  }
}
