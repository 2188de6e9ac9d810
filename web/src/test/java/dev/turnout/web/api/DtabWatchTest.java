package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.PerTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code ?watch=true} streams: the current value first, then each change once. */
class DtabWatchTest {
  @RegisterExtension final PerTest<ApiServer> api = PerTest.of(ApiServer::new);

  /** The lines of a streaming answer as they arrive, read on another thread. */
  private static final class Lines implements AutoCloseable {
    final HttpResponse<Stream<String>> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    Lines(ApiServer api, HttpRequest.Builder request) throws Exception {
      response =
          api.client
              .sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
              .get(10, TimeUnit.SECONDS);
      reader = new Thread(this::readAll, "watch-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void readAll() {
      try {
        response.body().forEach(lines::add);
      } catch (java.io.UncheckedIOException e) {
        // the stream was closed, by the test or by the server stopping
      }
    }

    /** Whether the server ended the stream, waiting at most ten seconds for it to. */
    boolean ended() throws InterruptedException {
      reader.join(10_000);
      return !reader.isAlive();
    }

    /** The next line, waiting at most ten seconds for it. */
    String next() throws InterruptedException {
      String line = lines.poll(10, TimeUnit.SECONDS);
      assertThat(line).as("a line within 10 s").isNotNull();
      return line;
    }

    @Override
    public void close() {
      response.body().close();
    }
  }

  private static HttpRequest.Builder watch(ApiServer api, String path) {
    return HttpRequest.newBuilder(api.uri(path)).GET();
  }

  @Test
  void watchesBeyondTheCapAreRefusedSoTheAdminServerKeepsThreadsToAnswerWith() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /one;");
    java.util.List<Lines> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < ApiServer.WATCH_LIMIT; i++) {
        Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/dtabs/default?watch=true"));
        open.add(lines);
        assertThat(lines.next()).startsWith("[");
      }

      HttpResponse<String> refused = api.get().get("/api/1/dtabs/default?watch=true");

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).contains("5");
      assertThat(api.get().get("/api/1/dtabs/default").statusCode()).as("plain reads still answer").isEqualTo(200);
    } finally {
      open.forEach(Lines::close);
    }
  }

  @Test
  void aWatchedNamespaceThatIsDeletedStreamsAnEmptyDtabAndItsRecreationAfter() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /one;");

    try (Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/dtabs/default?watch=true"))) {
      assertThat(lines.next()).contains("/one");

      api.get().send(api.get().asOperator("/api/1/dtabs/default").DELETE());
      assertThat(lines.next()).isEqualTo("[]");

      api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /two;");
      assertThat(lines.next()).contains("/two");
    }
  }

  @Test
  void aWatchedBindFollowsTheNamespacesCommits() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");

    try (Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/bind/default?path=/svc/users&watch=true"))) {
      assertThat(lines.next()).contains("\"port\":8080");

      api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/9090;");

      assertThat(lines.next()).contains("\"port\":9090");
    }
  }

  @Test
  void aWatchedBindThatStopsBindingEndsWithALineSayingWhy() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");

    try (Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/bind/default?path=/svc/users&watch=true"))) {
      assertThat(lines.next()).contains("\"port\":8080");

      api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /svc;");

      assertThat(lines.next()).startsWith("Binding failed: ");
      assertThat(lines.ended()).as("the stream ends after saying why").isTrue();
    }
  }

  @Test
  void namespaceWatchStreamsCurrentThenEachNewVersionOnce() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /one;");

    try (Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/dtabs/default?watch=true"))) {
      assertThat(lines.response.statusCode()).isEqualTo(200);
      assertThat(lines.next()).isEqualTo("[{\"prefix\":\"/svc\",\"dst\":\"/one\"}]");

      api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /two;");
      api.get().write("PUT", "/api/1/dtabs/other", "application/dtab", "/svc => /elsewhere;");
      api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /two; # same dentries");
      api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /three;");

      assertThat(lines.next()).isEqualTo("[{\"prefix\":\"/svc\",\"dst\":\"/two\"}]");
      assertThat(lines.next()).isEqualTo("[{\"prefix\":\"/svc\",\"dst\":\"/two\"}]");
      assertThat(lines.next()).isEqualTo("[{\"prefix\":\"/svc\",\"dst\":\"/three\"}]");
    }
  }

  @Test
  void namespaceWatchWithDtabAcceptStreamsOneLinePerVersion() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "# routes\n/svc => /one;\n/x => /y;\n");

    try (Lines lines =
        new Lines(api.get(), watch(api.get(), "/api/1/dtabs/default?watch=true").header("Accept", "application/dtab"))) {
      assertThat(lines.next()).isEqualTo("/svc=>/one;/x=>/y");
      api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /two;");

      assertThat(lines.next()).isEqualTo("/svc=>/two");
    }
  }

  @Test
  void watchOfAbsentNamespaceWaitsForItsCreation() throws Exception {
    try (Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/dtabs/later?watch=true"))) {
      api.get().write("POST", "/api/1/dtabs/later", "application/dtab", "/a=>/b");

      assertThat(lines.next()).isEqualTo("[{\"prefix\":\"/a\",\"dst\":\"/b\"}]");
    }
  }

  @Test
  void listWatchStreamsEachDifferentListOnce() throws Exception {
    try (Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/dtabs?watch=true"))) {
      assertThat(lines.next()).isEqualTo("[]");

      api.get().write("POST", "/api/1/dtabs/b", "application/dtab", "/a=>/b");
      api.get().write("PUT", "/api/1/dtabs/b", "application/dtab", "/a=>/c");
      api.get().write("POST", "/api/1/dtabs/a", "application/dtab", "/a=>/b");
      api.get().send(api.get().asOperator("/api/1/dtabs/b").DELETE());

      assertThat(lines.next()).isEqualTo("[\"b\"]");
      assertThat(lines.next()).isEqualTo("[\"a\",\"b\"]");
      assertThat(lines.next()).isEqualTo("[\"a\"]");
    }
  }

  @Test
  void stoppingTheServerEndsOpenStreams() throws Exception {
    Lines lines = new Lines(api.get(), watch(api.get(), "/api/1/dtabs?watch=true"));
    assertThat(lines.next()).isEqualTo("[]");

    api.get().app.stop();

    lines.reader.join(TimeUnit.SECONDS.toMillis(20));
    assertThat(lines.reader.isAlive()).isFalse();
    assertThat(Optional.ofNullable(lines.lines.poll())).isEmpty();
  }
}
