package dev.turnout.web.routing;

import dev.turnout.naming.NamerStatus;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A namer's status in the words the dashboard shows beside a bound name: the registry and when it last
 * answered; for a stale namer, that its endpoints are the last ones it had, and why.
 */
public final class SourceText {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private SourceText() {}

  /** {@code consul http://127.0.0.1:8500, last answer 2026-12-07 04:01:02 UTC}, and so on. */
  public static String of(NamerStatus s) {
    StringBuilder b = new StringBuilder(s.source());
    b.append(s.lastUpdate().map(t -> ", last answer " + TIME.format(t)).orElse(", no answer yet"));
    if (s.stale()) {
      b.append("; STALE: the registry is out of reach, these are the last endpoints it gave");
    }
    s.lastError().ifPresent(e -> b.append("; last error: ").append(e));
    return b.toString();
  }
}
