package dev.turnout.bench;

import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
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

/** Recording one request in a service's figures, the proxy's per-request metrics cost (run with -t 2 for two IO threads). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class StatsBenchmark {
  private TrafficStats stats;

  @Setup
  public void setUp() {
    stats = new ProxyMetrics().service("web", "/svc/users");
  }

  @Benchmark
  public void recordOneRequest() {
    stats.start();
    stats.finish(true, "", 1_500_000);
  }
}
