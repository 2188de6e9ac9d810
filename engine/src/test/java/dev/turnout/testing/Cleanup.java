package dev.turnout.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test started (servers, processes, stores), closed after the test in the reverse order of
 * starting, whether the test passed or not, so a later part never outlives one it depends on:
 *
 * <pre>{@code
 * @RegisterExtension final Cleanup cleanup = new Cleanup();
 * ...
 * Backend users = cleanup.add(Backend.named("users"));
 * }</pre>
 *
 * A part that fails to close does not keep the others open; the first failure is thrown at the end.
 */
public final class Cleanup implements AfterEachCallback {
  private final List<AutoCloseable> parts = new ArrayList<>();

  /** Registers {@code part} for closing after the test, and gives it back. */
  public synchronized <T extends AutoCloseable> T add(T part) {
    parts.add(part);
    return part;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    List<AutoCloseable> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(parts);
      parts.clear();
    }
    Exception first = null;
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
