package dev.turnout.proxy.upstream;

import io.undertow.util.HeaderMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading one backend answer's head as the upstream client does for every answer ({@link
 * ResponseHead#read}, into a reused map, from a direct buffer holding the head and a small body): an
 * nginx answer with its five header fields, as under peers.sh's load. Run with {@code -prof gc} for the
 * bytes it allocates:
 *
 * <pre>
 * mvn -q -o -pl engine test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   "-Dexec.args=-cp %classpath org.openjdk.jmh.Main ResponseHeadBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseHeadBenchmark {
  private static final String NGINX =
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 21:40:00 GMT\r\n"
          + "Content-Type: text/plain\r\nContent-Length: 19\r\nConnection: keep-alive\r\n\r\n"
          + "hello from backend\n";

  private final ResponseHead head = new ResponseHead(new Scratch());
  private final HeaderMap into = new HeaderMap();
  private ByteBuffer answer;

  @Setup
  public void setUp() {
    byte[] bytes = NGINX.getBytes(StandardCharsets.ISO_8859_1);
    answer = ByteBuffer.allocateDirect(bytes.length);
    answer.put(bytes).flip();
  }

  @Benchmark
  public long nginxAnswer() throws ResponseHead.Malformed {
    into.clear();
    answer.position(0);
    head.read(answer, into);
    return head.contentLength + (head.keepAlive ? 1 : 0);
  }
}
