package dev.turnout.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One access log file that rolls by its {@link RollPolicy}: before a line is written, a file whose
 * roll time has passed, or which the line would take past its size, is closed and renamed ({@code
 * access.log} to {@code access-20240305.log}), and a new one opened; then, with {@code rotateCount} of
 * 0 or more, the oldest rolled files beyond that many are deleted (-1 keeps all, Linkerd's default).
 * Rolled files are those in the same folder whose names start with the stem and end with the
 * extension; their time-stamped names sort oldest first. Used by one thread, the log's writer.
 */
final class RollingFile implements AutoCloseable {
  private final Path file;
  private final RollPolicy policy;
  private final int rotateCount;
  private final Clock clock;
  private final String stem;
  private final String extension;
  private OutputStream out;
  private Instant opened;
  private Optional<Instant> nextRoll;
  private long written;

  RollingFile(Path file, RollPolicy policy, boolean append, int rotateCount, Clock clock) throws IOException {
    this.file = file.toAbsolutePath();
    this.policy = policy;
    this.rotateCount = rotateCount;
    this.clock = clock;
    String name = this.file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    this.stem = dot > 0 ? name.substring(0, dot) : name;
    this.extension = dot > 0 ? name.substring(dot) : "";
    open(append);
  }

  private void open(boolean append) throws IOException {
    Path dir = file.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    out =
        append
            ? Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
            : Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    opened = clock.instant();
    nextRoll = policy.nextRoll(opened, clock.getZone());
    written = append ? Files.size(file) : 0;
  }

  void write(byte[] line) throws IOException {
    boolean due = nextRoll.isPresent() && !clock.instant().isBefore(nextRoll.get());
    boolean full = policy.kind() == RollPolicy.Kind.SIZE && written > 0 && written + line.length > policy.maxBytes();
    if (due || full) {
      roll();
    }
    out.write(line);
    written += line.length;
  }

  void flush() throws IOException {
    out.flush();
  }

  private void roll() throws IOException {
    out.close();
    Path rolled = file.resolveSibling(stem + "-" + policy.suffix(opened, clock.getZone()) + extension);
    // Two rolls by size within one second would get one name: later ones take a counter.
    for (int n = 1; Files.exists(rolled); n++) {
      rolled = file.resolveSibling(stem + "-" + policy.suffix(opened, clock.getZone()) + "." + n + extension);
    }
    Files.move(file, rolled);
    open(false);
    removeOld();
  }

  private void removeOld() throws IOException {
    if (rotateCount < 0) {
      return;
    }
    List<Path> rolled = rolledFiles();
    for (int i = 0; i < rolled.size() - rotateCount; i++) {
      Files.deleteIfExists(rolled.get(i));
    }
  }

  /** The rolled files beside this one, oldest first. */
  List<Path> rolledFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    String name = file.getFileName().toString();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(file.getParent())) {
      for (Path p : dir) {
        String n = p.getFileName().toString();
        if (!n.equals(name) && n.startsWith(stem + "-") && n.endsWith(extension)) {
          out.add(p);
        }
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
