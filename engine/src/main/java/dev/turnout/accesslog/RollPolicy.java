package dev.turnout.accesslog;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When an access log file is rolled: Linkerd 1's {@code httpAccessLogRollPolicy}, which is twitter
 * util's logging {@code Policy} and parses the same words: {@code never} (the default), {@code hourly},
 * {@code daily}, {@code weekly(N)} (N a day of the week, 1 Sunday to 7 Saturday, as {@code
 * java.util.Calendar} counts), or a size such as {@code 10.megabytes} (when the next line would take the
 * file past it). Words are case-insensitive. {@code sighup} is refused by {@link #parse}: the JVM gives a
 * program no portable hold on SIGHUP, and a logrotate that renames the file and sends it would leave
 * lines going to the renamed file.
 *
 * <p>A rolled file is renamed as util's {@code FileHandler} renames it: {@code access.log} opened at
 * 2024-03-05 14:07:09 becomes {@code access-20240305-14.log} hourly, {@code access-20240305.log} daily or
 * weekly, {@code access-20240305-140709.log} by size; the times are those of the zone the log writes.
 */
public record RollPolicy(Kind kind, long maxBytes, int weekday) {
  public enum Kind {
    NEVER,
    HOURLY,
    DAILY,
    WEEKLY,
    SIZE
  }

  public static final RollPolicy NEVER = new RollPolicy(Kind.NEVER, 0, 0);
  private static final Pattern WEEKLY = Pattern.compile("weekly\\(([1-7])\\)");
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\.(byte|kilobyte|megabyte|gigabyte|terabyte)s?");

  public RollPolicy {
    if (kind == Kind.SIZE && maxBytes <= 0) {
      throw new IllegalArgumentException("a size policy needs a size above 0 bytes");
    }
    if (kind == Kind.WEEKLY && (weekday < 1 || weekday > 7)) {
      throw new IllegalArgumentException("weekly(N) needs N from 1 (Sunday) to 7 (Saturday)");
    }
  }

  /** @throws IllegalArgumentException saying what is accepted, for anything else */
  public static RollPolicy parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "never":
        return NEVER;
      case "hourly":
        return new RollPolicy(Kind.HOURLY, 0, 0);
      case "daily":
        return new RollPolicy(Kind.DAILY, 0, 0);
      case "sighup":
        throw new IllegalArgumentException(
            "sighup is not implemented by Turnout (a JVM cannot portably catch SIGHUP); roll by time or size,"
                + " or use logrotate's copytruncate");
      default:
        break;
    }
    Matcher weekly = WEEKLY.matcher(s);
    if (weekly.matches()) {
      return new RollPolicy(Kind.WEEKLY, 0, Integer.parseInt(weekly.group(1)));
    }
    Matcher size = SIZE.matcher(s);
    if (size.matches()) {
      long n;
      try {
        n = Long.parseLong(size.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(text + " is too large a size");
      }
      int shift = switch (size.group(2)) {
        case "byte" -> 0;
        case "kilobyte" -> 10;
        case "megabyte" -> 20;
        case "gigabyte" -> 30;
        default -> 40;
      };
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException(text + " is too large a size");
      }
      return new RollPolicy(Kind.SIZE, n << shift, 0);
    }
    throw new IllegalArgumentException(
        "must be never, hourly, daily, weekly(1-7) or a size such as 10.megabytes, not " + text);
  }

  /** The first instant after {@code opened} at which a file opened then is rolled; none by size or never. */
  Optional<Instant> nextRoll(Instant opened, ZoneId zone) {
    ZonedDateTime hour = opened.atZone(zone).truncatedTo(ChronoUnit.HOURS);
    switch (kind) {
      case HOURLY:
        return Optional.of(hour.plusHours(1).toInstant());
      case DAILY:
        return Optional.of(hour.truncatedTo(ChronoUnit.DAYS).plusDays(1).toInstant());
      case WEEKLY:
        // Calendar's weekdays run 1 Sunday .. 7 Saturday; java.time's 1 Monday .. 7 Sunday.
        DayOfWeek day = DayOfWeek.of(weekday == 1 ? 7 : weekday - 1);
        return Optional.of(
            hour.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.next(day)).toInstant());
      default:
        return Optional.empty();
    }
  }

  /** The part a rolled file's name gets between its stem and extension, from when it was opened. */
  String suffix(Instant opened, ZoneId zone) {
    String pattern = switch (kind) {
      case HOURLY -> "yyyyMMdd-HH";
      case DAILY, WEEKLY -> "yyyyMMdd";
      case SIZE -> "yyyyMMdd-HHmmss";
      default -> "yyyy";
    };
    return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(zone).format(opened);
  }
}
