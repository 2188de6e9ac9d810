package dev.turnout.proxy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The proxy's failure log as lines, for the routers a test starts while it is installed. */
final class CapturedLog implements FailureLog.Sink, AutoCloseable {
  record Line(String text, Throwable trace) {}

  final List<Line> lines = new CopyOnWriteArrayList<>();
  private final FailureLog.Sink before;

  CapturedLog() {
    before = FailureLog.install(this);
  }

  @Override
  public void warn(String line) {
    lines.add(new Line(line, null));
  }

  @Override
  public void error(String line, Throwable trace) {
    lines.add(new Line(line, trace));
  }

  long traced() {
    return lines.stream().filter(l -> l.trace() != null).count();
  }

  @Override
  public void close() {
    FailureLog.install(before);
  }
}
