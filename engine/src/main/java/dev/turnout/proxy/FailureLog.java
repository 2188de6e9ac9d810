package dev.turnout.proxy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the proxy writes to the log about failed requests, kept short so 600 bad requests do not bury
 * the start-up warnings. An <b>expected</b> failure (refused, reset, timeout, unknown host, no
 * endpoints, unroutable) is one line without a stack trace, at most one per kind per {@link #WINDOW_NANOS};
 * the ones held back are counted, and the next line of that kind says how many were folded. An
 * <b>unexpected</b> exception is a bug: the first of each exception type and throwing place is logged
 * with its trace, later ones like it are folded the same way. Every failure is also counted in the
 * metrics and answered with {@code l5d-err}; the log is only a digest.
 */
final class FailureLog {
  static final long WINDOW_NANOS = 10_000_000_000L;
  static final int MAX_LINE = 400;
  private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

  /** Where lines go: the slf4j logger in production. */
  interface Sink {
    void warn(String line);

    void error(String line, Throwable trace);
  }

  static final Sink SLF4J =
      new Sink() {
        @Override
        public void warn(String line) {
          LOG.warn(line);
        }

        @Override
        public void error(String line, Throwable trace) {
          LOG.error(line, trace);
        }
      };

  private static volatile Sink installed = SLF4J;

  /** The sink new routers write to. */
  static Sink installed() {
    return installed;
  }

  /**
   * Sends the lines of routers started from now on to {@code sink}, and returns the one it replaces;
   * for tests, which read the log as lines rather than parse a logging backend's output.
   */
  static Sink install(Sink sink) {
    Sink before = installed;
    installed = sink;
    return before;
  }

  /** A kind's window: when its last line was written and how many have been held back since. */
  private static final class Window {
    long lastLogged;
    long folded;
    boolean traced;
  }

  private final Sink sink;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  FailureLog(Sink sink, LongSupplier nanos) {
    this.sink = sink;
    this.nanos = nanos;
  }

  /** An expected failure of {@code kind} ("connect", "timeout", ...), answered with {@code status}. */
  void expected(String router, String kind, int status, String message) {
    long folded = admit(router + " " + kind);
    if (folded >= 0) {
      sink.warn("router " + router + ": " + status + " " + kind + ": " + cut(message) + foldedNote(folded, kind));
    }
  }

  /** An exception nobody expected on the request path; answered 500 by the caller. */
  void unexpected(String router, String where, Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    String place = trace.length > 0 ? trace[0].toString() : "?";
    String key = router + " " + e.getClass().getName() + " " + place;
    Window w = windows.computeIfAbsent(key, k -> new Window());
    boolean first;
    long folded;
    synchronized (w) {
      first = !w.traced;
      w.traced = true;
      folded = admitLocked(w);
    }
    if (first) {
      sink.error("router " + router + ": unexpected " + e + " while " + where + "; answered 500", e);
    } else if (folded >= 0) {
      sink.warn(
          "router " + router + ": unexpected " + e + " while " + where + " again (its trace was logged"
              + " before); answered 500" + foldedNote(folded, "such"));
    }
  }

  /** -1 when this occurrence is folded, else how many were folded since the last line. */
  private long admit(String key) {
    Window w = windows.computeIfAbsent(key, k -> new Window());
    synchronized (w) {
      return admitLocked(w);
    }
  }

  private long admitLocked(Window w) {
    long now = nanos.getAsLong();
    if (w.lastLogged != 0 && now - w.lastLogged < WINDOW_NANOS) {
      w.folded++;
      return -1;
    }
    long folded = w.folded;
    w.folded = 0;
    w.lastLogged = now == 0 ? 1 : now;
    return folded;
  }

  /** A message cut to {@link #MAX_LINE} characters: a dtab can be long, a log line should not be. */
  private static String cut(String message) {
    return message.length() <= MAX_LINE ? message : message.substring(0, MAX_LINE) + "...";
  }

  private static String foldedNote(long folded, String kind) {
    return folded == 0 ? "" : " (" + folded + " more " + kind + " failures were not logged since the last such line)";
  }
}
