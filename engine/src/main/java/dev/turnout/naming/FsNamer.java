package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linkerd's {@code io.l5d.fs}: a directory with one file per service, sub-directories nesting. {@code
 * /#/io.l5d.fs/users/v1/api} binds to the file {@code users} (id {@code /#/io.l5d.fs/users}, residual
 * {@code /v1/api}); with a directory {@code team}, {@code /#/io.l5d.fs/team/web} binds to {@code
 * team/web}.
 *
 * <p>A file holds one endpoint a line, {@code host port} or {@code host port * weight}; blank lines and
 * {@code #} comments are ignored. A missing file is Neg (so an Alt falls back); an empty file is a bound
 * but empty set (no fallback: traffic gets a 502); a malformed line makes that file's endpoint set {@link
 * Addr.Failed}, the message naming the file and line.
 *
 * <p>The directory is scanned in the background (a daemon thread, every {@code pollInterval}), so {@link
 * #lookup} answers from memory and never touches the disk. When a file appears or disappears, {@link
 * #generation()} grows and {@link #onChange} listeners run; when a file's lines change, the same {@link
 * Var} handed out in earlier bindings is updated in place, so routers see new endpoints without
 * rebinding. Hidden files (a name starting with {@code .}) are ignored, as editors leave them about.
 */
public final class FsNamer implements Namer, Closeable {
  /** Where Linkerd mounts this namer unless told otherwise. */
  public static final Path DEFAULT_PREFIX = Path.of("#", "io.l5d.fs");

  private static final Logger LOG = LoggerFactory.getLogger(FsNamer.class);
  public static final Duration DEFAULT_POLL = Duration.ofMillis(200);
  /** A file this recently modified is re-read on every scan, as a timestamp may not show a quick edit. */
  private static final long FRESH_MILLIS = 2_000;

  private static final int MAX_DEPTH = 32;

  private final java.nio.file.Path root;
  private final Path mountPrefix;
  private final ScheduledExecutorService poller;
  private final NameSetChanges changes = new NameSetChanges("the fs namer");
  /** One variable per file for the namer's lifetime, so a file that comes back reuses it. */
  private final Map<String, Var<Addr>> vars = new ConcurrentHashMap<>();

  /** The scan in force: files by relative path ({@code team/web}) and directories. */
  private volatile Snapshot snapshot = new Snapshot(Map.of(), Set.of());
  /** When the last scan finished, and why the directory could not be listed then, if it could not. */
  private volatile Instant lastScan;
  private volatile String scanError;

  private record FileState(long modified, long size) {}

  private record Snapshot(Map<String, FileState> files, Set<String> dirs) {}

  /** Serves {@code rootDir} under {@link #DEFAULT_PREFIX}, scanning every 200 ms. */
  public FsNamer(java.nio.file.Path rootDir) {
    this(rootDir, DEFAULT_PREFIX, DEFAULT_POLL);
  }

  /**
   * @param rootDir the directory of service files; it need not exist yet
   * @param mountPrefix where the namer is mounted, the start of every bound id
   * @param pollInterval how often the directory is scanned
   */
  public FsNamer(java.nio.file.Path rootDir, Path mountPrefix, Duration pollInterval) {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive, not " + pollInterval);
    }
    this.root = rootDir.toAbsolutePath().normalize();
    this.mountPrefix = mountPrefix;
    scan();
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "turnout-fs-namer " + root.getFileName());
              t.setDaemon(true);
              return t;
            });
    long millis = pollInterval.toMillis();
    poller.scheduleWithFixedDelay(this::scanSafely, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** The prefix bound ids start with. */
  public Path mountPrefix() {
    return mountPrefix;
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    Snapshot s = snapshot;
    StringBuilder rel = new StringBuilder();
    for (int i = 0; i < path.size(); i++) {
      String name = fileName(path.label(i));
      if (name == null) {
        return NameTree.neg();
      }
      if (i > 0) {
        rel.append('/');
      }
      rel.append(name);
      String key = rel.toString();
      if (s.files().containsKey(key)) {
        Var<Addr> addr = vars.get(key);
        Path id = mountPrefix.concat(path.take(i + 1));
        return NameTree.leaf(new Name.Resolved(new BoundName(id, path.drop(i + 1), addr)));
      }
      if (!s.dirs().contains(key)) {
        return NameTree.neg();
      }
    }
    return NameTree.neg();
  }

  /** A label as a file name, or null when it cannot name a file inside the directory. */
  private static String fileName(String label) {
    String name;
    try {
      name =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(label.getBytes(StandardCharsets.ISO_8859_1)))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    if (name.startsWith(".") || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf(0) >= 0) {
      return null;
    }
    return name;
  }

  @Override
  public long generation() {
    return changes.generation();
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    return changes.onChange(listener);
  }

  @Override
  public Optional<NamerStatus> status() {
    Instant at = lastScan;
    String error = scanError;
    return Optional.of(
        new NamerStatus("directory " + root, Optional.ofNullable(at), Optional.ofNullable(error), false));
  }

  @Override
  public Map<Path, Addr> names() {
    Map<Path, Addr> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Path::show));
    for (String rel : snapshot.files().keySet()) {
      Var<Addr> v = vars.get(rel);
      if (v != null) {
        out.put(mountPrefix.concat(Path.utf8(rel.split("/"))), v.get());
      }
    }
    return out;
  }

  /** Stops watching the directory; bound names keep their last endpoints. */
  @Override
  public void close() {
    poller.shutdownNow();
  }

  private void scanSafely() {
    try {
      scan();
    } catch (RuntimeException e) {
      LOG.warn("scanning {} failed: {}", root, e.toString());
    }
  }

  /** Reads the directory, re-reads changed files, and publishes what changed. */
  private synchronized void scan() {
    Map<String, FileState> files = new HashMap<>();
    Set<String> dirs = ConcurrentHashMap.newKeySet();
    scanError = walk(root, "", 0, files, dirs);
    lastScan = Instant.now();
    Snapshot before = snapshot;
    long now = System.currentTimeMillis();
    for (Map.Entry<String, FileState> e : files.entrySet()) {
      FileState old = before.files().get(e.getKey());
      FileState cur = e.getValue();
      boolean fresh = now - cur.modified() < FRESH_MILLIS;
      if (old == null || !old.equals(cur) || fresh) {
        Addr addr = read(e.getKey());
        vars.computeIfAbsent(e.getKey(), k -> new Var<>(addr)).set(addr);
      }
    }
    boolean namesChanged = !before.files().keySet().equals(files.keySet()) || !before.dirs().equals(dirs);
    for (String gone : before.files().keySet()) {
      if (!files.containsKey(gone)) {
        vars.get(gone).set(new Addr.Neg());
      }
    }
    snapshot = new Snapshot(Map.copyOf(files), Set.copyOf(dirs));
    if (namesChanged) {
      changes.changed();
    }
  }

  /** Collects {@code dir}'s files and folders; answers why the root could not be listed, or null. */
  private String walk(
      java.nio.file.Path dir, String rel, int depth, Map<String, FileState> files, Set<String> dirs) {
    if (depth > MAX_DEPTH) {
      return null;
    }
    List<java.nio.file.Path> children = new ArrayList<>();
    try (var stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    } catch (IOException | RuntimeException e) {
      return depth == 0 ? "cannot list " + dir + ": " + e : null;
    }
    for (java.nio.file.Path child : children) {
      String name = child.getFileName().toString();
      if (name.startsWith(".")) {
        continue;
      }
      String key = rel.isEmpty() ? name : rel + "/" + name;
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(child, BasicFileAttributes.class);
      } catch (IOException e) {
        continue;
      }
      if (attrs.isDirectory()) {
        if (!Files.isSymbolicLink(child) || Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          dirs.add(key);
          walk(child, key, depth + 1, files, dirs);
        }
      } else if (attrs.isRegularFile()) {
        files.put(key, new FileState(attrs.lastModifiedTime().toMillis(), attrs.size()));
      }
    }
    return null;
  }

  private Addr read(String rel) {
    List<String> lines;
    try {
      lines = Files.readAllLines(root.resolve(rel), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new Addr.Failed(rel + ": cannot read: " + e.getMessage());
    }
    return FsFormat.parse(rel, lines);
  }
}
