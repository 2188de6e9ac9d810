package dev.turnout.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Limits what password guessing can cost and gain, in two ways, before any hash is computed:
 *
 * <ul>
 *   <li>Per client (its address), a token bucket (Bucket4j): {@link #BURST} attempts at once, then one
 *       more every {@link #REFILL}. An attempt takes a token and a success gives it back, so only wrong
 *       guesses use the allowance, whatever name each one tries. Being per client, it never locks an
 *       operator out from other clients, however many guesses one client makes at their name.
 *   <li>For the whole process, at most one hash at once per core: a check that finds no slot within
 *       {@link #HASH_WAIT} is not made. Many clients guessing together thus
 *       cost a bounded share of the CPU, and every attempt is answered promptly.
 * </ul>
 *
 * <p>State is in memory and bounded (the buckets of the least recently seen clients are forgotten); time
 * comes from the injected clock.
 */
final class LoginThrottle {
  static final int BURST = 10;
  static final Duration REFILL = Duration.ofSeconds(3);
  static final Duration HASH_WAIT = Duration.ofSeconds(2);
  static final int MAX_CLIENTS = 10_000;

  private final TimeMeter time;
  private final Cache<String, Bucket> buckets;
  private final Duration hashWait;
  private final Semaphore hashing;

  LoginThrottle(Clock clock) {
    this(clock, Math.max(1, Runtime.getRuntime().availableProcessors()), HASH_WAIT);
  }

  LoginThrottle(Clock clock, int concurrentHashes, Duration hashWait) {
    if (concurrentHashes < 1) {
      throw new IllegalArgumentException("concurrentHashes must be >= 1, not " + concurrentHashes);
    }
    if (hashWait.isNegative()) {
      throw new IllegalArgumentException("hashWait must not be negative, not " + hashWait);
    }
    this.hashWait = hashWait;
    this.time = new ClockTime(clock);
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(MAX_CLIENTS)
            .expireAfterAccess(REFILL.multipliedBy(BURST).multipliedBy(2))
            .ticker(ticker(clock))
            .build();
    this.hashing = new Semaphore(concurrentHashes, true);
  }

  /** Takes one attempt from {@code client}'s allowance; empty when granted, else how long to wait. */
  Optional<Duration> take(String client) {
    ConsumptionProbe probe = bucket(client).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  /** Gives back the attempt a successful sign-in took. */
  void succeeded(String client) {
    bucket(client).addTokens(1);
  }

  /** Runs {@code check} in one of the hashing slots; empty when none came free in time. */
  <T> Optional<T> inHashingSlot(Supplier<T> check) {
    boolean acquired;
    try {
      acquired = hashing.tryAcquire(hashWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    if (!acquired) {
      return Optional.empty();
    }
    try {
      return Optional.of(check.get());
    } finally {
      hashing.release();
    }
  }

  private Bucket bucket(String client) {
    return buckets.get(
        client == null ? "" : client,
        k ->
            Bucket.builder()
                .addLimit(l -> l.capacity(BURST).refillGreedy(1, REFILL))
                .withCustomTimePrecision(time)
                .build());
  }

  static Ticker ticker(Clock clock) {
    return () -> nanos(clock.instant());
  }

  private static long nanos(Instant t) {
    return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
  }

  /** Bucket4j's time from the injected clock, so tests move time instead of waiting. */
  private record ClockTime(Clock clock) implements TimeMeter {
    @Override
    public long currentTimeNanos() {
      return nanos(clock.instant());
    }

    @Override
    public boolean isWallClockBased() {
      return true;
    }
  }
}
