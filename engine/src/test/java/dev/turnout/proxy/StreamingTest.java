package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** 100 MB each way, generated on the fly and checked by CRC: nothing holds the whole body. */
class StreamingTest {
  private static final long SIZE = 100L * 1024 * 1024;

  private final Backend sink =
      Backend.start(
          "sink",
          ex -> {
            if (ex.isInIoThread()) {
              ex.dispatch(
                  unchecked(() -> {
                    ex.startBlocking();
                    CRC32 crc = new CRC32();
                    long n = 0;
                    byte[] buf = new byte[64 * 1024];
                    try (InputStream in = ex.getInputStream()) {
                      int r;
                      while ((r = in.read(buf)) > 0) {
                        crc.update(buf, 0, r);
                        n += r;
                      }
                    }
                    ex.getResponseSender().send(n + ":" + crc.getValue(), StandardCharsets.UTF_8);
                  }));
            }
          });
  private final Backend source =
      Backend.start(
          "source",
          ex ->
              ex.dispatch(
                  unchecked(() -> {
                    ex.startBlocking();
                    ex.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_LENGTH, SIZE);
                    byte[] buf = new byte[64 * 1024];
                    try (OutputStream out = ex.getOutputStream()) {
                      long left = SIZE;
                      long i = 0;
                      while (left > 0) {
                        int n = (int) Math.min(buf.length, left);
                        for (int j = 0; j < n; j++) {
                          buf[j] = (byte) (i++ * 31);
                        }
                        out.write(buf, 0, n);
                        left -= n;
                      }
                    }
                  })));
  private Fixture fx;

  private interface IoTask {
    void run() throws java.io.IOException;
  }

  private static Runnable unchecked(IoTask task) {
    return () -> {
      try {
        task.run();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    sink.close();
    source.close();
  }

  private static InputStream generated() {
    return new InputStream() {
      long i;

      @Override
      public int read() {
        return i < SIZE ? ((byte) (i++ * 31)) & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (i >= SIZE) {
          return -1;
        }
        int n = (int) Math.min(len, SIZE - i);
        for (int j = 0; j < n; j++) {
          b[off + j] = (byte) (i++ * 31);
        }
        return n;
      }
    };
  }

  private static long expectedCrc() throws Exception {
    CRC32 crc = new CRC32();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = generated()) {
      int r;
      while ((r = in.read(buf)) > 0) {
        crc.update(buf, 0, r);
      }
    }
    return crc.getValue();
  }

  @Test
  void chunkedUploadOf100MbStreamsThrough() throws Exception {
    fx = new Fixture(Fixture.withTimeout(Fixture.router("/svc/up => /$/inet/127.0.0.1/" + sink.port() + ";"), Duration.ofSeconds(120)));
    HttpRequest req =
        HttpRequest.newBuilder(fx.uri("/upload"))
            .header("Host", "up")
            .POST(HttpRequest.BodyPublishers.ofInputStream(StreamingTest::generated))
            .build();

    HttpResponse<String> r = fx.http.send(req, HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(SIZE + ":" + expectedCrc());
  }

  @Test
  void download100MbWithContentLengthStreamsThrough() throws Exception {
    fx = new Fixture(Fixture.withTimeout(Fixture.router("/svc/down => /$/inet/127.0.0.1/" + source.port() + ";"), Duration.ofSeconds(120)));
    HttpRequest req = HttpRequest.newBuilder(fx.uri("/download")).header("Host", "down").build();

    HttpResponse<InputStream> r = fx.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    CRC32 crc = new CRC32();
    long n = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = r.body()) {
      int k;
      while ((k = in.read(buf)) > 0) {
        crc.update(buf, 0, k);
        n += k;
      }
    }

    assertThat(r.headers().firstValueAsLong("content-length")).hasValue(SIZE);
    assertThat(n).isEqualTo(SIZE);
    assertThat(crc.getValue()).isEqualTo(expectedCrc());
  }
}
