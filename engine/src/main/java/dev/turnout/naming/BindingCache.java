package dev.turnout.naming;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
 * <p>The cache is bounded, records statistics ({@link #stats()}), and takes its time from a Caffeine
 * {@link Ticker}, so tests move a fake clock. Failed bindings are not cached.
 */
public final class BindingCache {
  /** Linkerd's default for its binding caches. */
  public static final long DEFAULT_MAXIMUM_SIZE = 1000;

  public static final Duration DEFAULT_IDLE_TTL = Duration.ofMinutes(10);

  private record Key(Object dtabVersion, Path path, long generation) {}

  private final Interpreter interpreter;
  private final Cache<Key, NameTree<BoundName>> cache;

  /** A cache of {@link #DEFAULT_MAXIMUM_SIZE} entries dropped after 10 idle minutes. */
  public BindingCache(Interpreter interpreter) {
    this(interpreter, DEFAULT_MAXIMUM_SIZE, DEFAULT_IDLE_TTL, Ticker.systemTicker());
  }

  /**
   * @param maximumSize entries kept at most (must be positive)
   * @param idleTtl an entry not read for this long is dropped (must be positive)
   * @param ticker the clock that times idleness
   */
  public BindingCache(Interpreter interpreter, long maximumSize, Duration idleTtl, Ticker ticker) {
    this.interpreter = Objects.requireNonNull(interpreter);
    if (maximumSize <= 0) {
      throw new IllegalArgumentException("maximumSize must be positive, not " + maximumSize);
    }
    if (idleTtl.isNegative() || idleTtl.isZero()) {
      throw new IllegalArgumentException("idleTtl must be positive, not " + idleTtl);
    }
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .expireAfterAccess(idleTtl)
            .ticker(Objects.requireNonNull(ticker))
            .recordStats()
            .build();
  }

  /**
   * The bound tree of {@code path} through {@code dtab}, from the cache when this version, path and
   * namer generation were bound before.
   *
   * @param dtabVersion identifies {@code dtab}: equal keys must mean equal dtabs
   * @throws BindingException when binding fails (nothing is cached then)
   */
  public NameTree<BoundName> bind(Object dtabVersion, Dtab dtab, Path path) {
    Key key = new Key(Objects.requireNonNull(dtabVersion), path, interpreter.generation());
    return cache.get(key, k -> interpreter.bind(dtab, path));
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
