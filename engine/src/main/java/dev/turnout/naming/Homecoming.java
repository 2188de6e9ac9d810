package dev.turnout.naming;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * How a follower that failed over finds its way back: the control planes a config names first are the
 * ones it prefers (the nearest, usually), so while it follows a later one it asks the earlier ones, now
 * and then and all at once, whether they answer again. The asking is asynchronous (no thread waits on
 * it) and bounded by {@link #TIMEOUT}.
 */
public final class Homecoming {
  /** How often a follower that is not on its first control plane asks the earlier ones. */
  public static final Duration PERIOD = Duration.ofSeconds(15);

  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private Homecoming() {}

  /**
   * Asks every URI at once; completes with the index of the first of them (in the given order) that
   * answered 200 or 404 (a namespace not there yet is still a control plane answering), or empty.
   */
  public static CompletableFuture<OptionalInt> firstAnswering(
      HttpClient http, List<URI> uris, Optional<String> authorization) {
    List<CompletableFuture<Boolean>> asks = new ArrayList<>(uris.size());
    for (URI u : uris) {
      HttpRequest.Builder b = HttpRequest.newBuilder(u).timeout(TIMEOUT).header("Accept", "application/dtab").GET();
      authorization.ifPresent(a -> b.header("Authorization", a));
      asks.add(
          http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding())
              .thenApply(r -> r.statusCode() == 200 || r.statusCode() == 404)
              .exceptionally(e -> false));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          for (int i = 0; i < asks.size(); i++) {
            if (asks.get(i).join()) {
              return OptionalInt.of(i);
            }
          }
          return OptionalInt.empty();
        });
  }
}
