package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DtabApiRaceTest {
  private static final int WRITERS = 8;

  @TempDir Path dir;

  @Test
  void racingPutsWithSameIfMatchHaveExactlyOneWinner() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      String etag =
          api.write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/start")
              .headers()
              .firstValue("ETag")
              .orElseThrow();
      List<CompletableFuture<Integer>> statuses = new ArrayList<>();

      for (int i = 0; i < WRITERS; i++) {
        HttpRequest put =
            api.asOperator("/api/1/dtabs/default")
                .header("Content-Type", "application/dtab")
                .header("If-Match", etag)
                .PUT(HttpRequest.BodyPublishers.ofString("/a=>/writer" + i))
                .build();
        statuses.add(
            api.client
                .sendAsync(put, java.net.http.HttpResponse.BodyHandlers.discarding())
                .thenApply(java.net.http.HttpResponse::statusCode));
      }
      List<Integer> codes = new ArrayList<>();
      for (CompletableFuture<Integer> s : statuses) {
        codes.add(s.get(60, TimeUnit.SECONDS));
      }

      assertThat(codes).filteredOn(c -> c == 204).hasSize(1);
      assertThat(codes).filteredOn(c -> c == 412).hasSize(WRITERS - 1);
      assertThat(api.store.versions("default")).hasSize(2);
    }
  }
}
