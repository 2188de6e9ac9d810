package dev.turnout.proxy;

import java.time.Duration;

/**
 * What a timed-out request's {@code l5d-err} says. Linkerd 1's ErrorResponder answers 503 with the
 * message of Finagle's timeout exception, so a service's {@code totalTimeoutMs} and a client's {@code
 * requestAttemptTimeoutMs} are worded as Finagle words them, durations as Finagle prints them; the
 * router's own {@code requestTimeoutMs} keeps Turnout's wording.
 */
final class TimeoutMessages {
  private TimeoutMessages() {}

  static String total(Duration timeout, String service) {
    return "exceeded " + finagle(timeout) + " to " + service
        + " while waiting for a response for the request, including retries (if applicable)";
  }

  static String attempt(Duration timeout, String client) {
    return "exceeded " + finagle(timeout) + " to " + client
        + " while waiting for a response for an individual request, excluding retries";
  }

  static String router(Duration timeout, String service) {
    return "exceeded " + timeout.toMillis() + " ms request timeout for " + service;
  }

  /** A whole number of the largest unit that divides it: {@code 1.seconds}, {@code 1500.milliseconds}. */
  static String finagle(Duration d) {
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] names = {"days", "hours", "minutes", "seconds"};
    for (int i = 0; i < sizes.length && ms > 0; i++) {
      if (ms % sizes[i] == 0) {
        return ms / sizes[i] + "." + names[i];
      }
    }
    return ms + ".milliseconds";
  }
}
