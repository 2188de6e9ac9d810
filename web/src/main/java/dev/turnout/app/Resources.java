package dev.turnout.app;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a running process opened, closed in reverse order of opening: the proxy before the admin server
 * before the store. A part that fails to close is logged and the rest still close.
 */
final class Resources implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Resources.class);

  private final List<AutoCloseable> parts = new ArrayList<>();

  synchronized void add(AutoCloseable part) {
    parts.add(part);
  }

  synchronized void addAll(List<AutoCloseable> more) {
    parts.addAll(more);
  }

  @Override
  public synchronized void close() {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
    parts.clear();
  }
}
