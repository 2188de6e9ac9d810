package dev.turnout.naming;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Bound trees kept per (dtab version, path, namer generation), so a request that repeats an earlier
 * binding costs a hash lookup. The caller names the dtab by a version key of its own (a store version,
 * a routing-snapshot number, the text of an override): a new dtab must come with a new key. Because the
 * interpreter's {@link Interpreter#generation()} is part of the key, a file appearing in a namer's
 * directory makes earlier entries unreachable at once; they age out by size and idle time.
 *
 * <p>The cache is bounded by size and records statistics ({@link #stats()}). Entries of old versions
 * and generations are never asked for again, so the size bound evicts them. An idle time-to-live (as
 * Linkerd's {@code bindingCache} has) is available with a Caffeine {@link Ticker}, so tests move a fake
 * clock; it is off by default because it reads the clock on every hit, which more than doubles the cost
 * of a hit (measured: about 50 ns without, 120-190 ns with, on the 2-core build machine). Failed
 * bindings are not cached.
 */
public final class BindingCache {
  /** Linkerd's default for its binding caches. */
  public static final long DEFAULT_MAXIMUM_SIZE = 1000;

  public static final Duration DEFAULT_IDLE_TTL = Duration.ofMinutes(10);

  /** Identity is (version, path, generation); the dtab rides along only for loading. */
  private static final class Key {
    final Object dtabVersion;
    final Path path;
    final long generation;
    final Dtab dtab;

    Key(Object dtabVersion, Path path, long generation, Dtab dtab) {
      this.dtabVersion = dtabVersion;
      this.path = path;
      this.generation = generation;
      this.dtab = dtab;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && generation == k.generation
          && path.equals(k.path)
          && dtabVersion.equals(k.dtabVersion);
    }

    @Override
    public int hashCode() {
      return (dtabVersion.hashCode() * 31 + path.hashCode()) * 31 + Long.hashCode(generation);
    }
  }

  private final Interpreter interpreter;
  private final LoadingCache<Key, NameTree<BoundName>> cache;

  /** A cache of {@link #DEFAULT_MAXIMUM_SIZE} entries, bounded by size only. */
  public BindingCache(Interpreter interpreter) {
    this(interpreter, DEFAULT_MAXIMUM_SIZE);
  }

  /** A cache of at most {@code maximumSize} entries (must be positive), bounded by size only. */
  public BindingCache(Interpreter interpreter, long maximumSize) {
    this(interpreter, builder(maximumSize));
  }

  /**
   * A cache that also drops an entry not read for {@code idleTtl} (Linkerd's default is {@link
   * #DEFAULT_IDLE_TTL}).
   *
   * @param maximumSize entries kept at most (must be positive)
   * @param idleTtl an entry not read for this long is dropped (must be positive)
   * @param ticker the clock that times idleness
   */
  public BindingCache(Interpreter interpreter, long maximumSize, Duration idleTtl, Ticker ticker) {
    this(interpreter, withIdleTtl(builder(maximumSize), idleTtl, ticker));
  }

  private BindingCache(Interpreter interpreter, Caffeine<Object, Object> builder) {
    this.interpreter = Objects.requireNonNull(interpreter);
    this.cache = builder.recordStats().build(k -> this.interpreter.bind(k.dtab, k.path));
  }

  private static Caffeine<Object, Object> builder(long maximumSize) {
    if (maximumSize <= 0) {
      throw new IllegalArgumentException("maximumSize must be positive, not " + maximumSize);
    }
    return Caffeine.newBuilder().maximumSize(maximumSize);
  }

  private static Caffeine<Object, Object> withIdleTtl(
      Caffeine<Object, Object> builder, Duration idleTtl, Ticker ticker) {
    if (idleTtl.isNegative() || idleTtl.isZero()) {
      throw new IllegalArgumentException("idleTtl must be positive, not " + idleTtl);
    }
    return builder.expireAfterAccess(idleTtl).ticker(Objects.requireNonNull(ticker));
  }

  /**
   * The bound tree of {@code path} through {@code dtab}, from the cache when this version, path and
   * namer generation were bound before.
   *
   * @param dtabVersion identifies {@code dtab}: equal keys must mean equal dtabs
   * @throws BindingException when binding fails (nothing is cached then)
   */
  public NameTree<BoundName> bind(Object dtabVersion, Dtab dtab, Path path) {
    return cache.get(new Key(Objects.requireNonNull(dtabVersion), path, interpreter.generation(), dtab));
  }

  /** Hits, misses, evictions and load times since creation. */
  public CacheStats stats() {
    return cache.stats();
  }

  /** Entries currently held (approximately, as Caffeine counts). */
  public long size() {
    return cache.estimatedSize();
  }

  /** Drops every entry, say when a namer's configuration is replaced. */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /** Runs pending evictions now, so {@link #size()} is exact; for tests and stats exports. */
  public void cleanUp() {
    cache.cleanUp();
  }
}
