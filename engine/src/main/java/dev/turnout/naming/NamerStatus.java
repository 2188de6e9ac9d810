package dev.turnout.naming;

import java.time.Instant;
import java.util.Optional;

/**
 * What a namer can say of the registry behind it, for the dashboard's namers panel and the preview
 * tree: where its names come from, when it last heard an answer, the last error, and whether its
 * answers are {@code stale} (the registry is out of reach, so the namer serves the last endpoints it
 * had rather than emptying them).
 *
 * @param source the registry, in words an operator recognises ({@code directory /etc/turnout/disco},
 *     {@code consul http://127.0.0.1:8500})
 * @param lastUpdate when the namer last had an answer from its registry; empty before the first
 * @param lastError the latest failure to reach or read the registry, cleared by the next good answer
 * @param stale true while the registry is out of reach and names keep their last endpoints
 */
public record NamerStatus(String source, Optional<Instant> lastUpdate, Optional<String> lastError, boolean stale) {
  public NamerStatus {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("a namer status names its source");
    }
    if (lastUpdate == null || lastError == null) {
      throw new IllegalArgumentException("absent values are Optional.empty(), not null");
    }
  }

  /** A source answering normally, last heard at {@code at}. */
  public static NamerStatus fresh(String source, Instant at) {
    return new NamerStatus(source, Optional.of(at), Optional.empty(), false);
  }
}
