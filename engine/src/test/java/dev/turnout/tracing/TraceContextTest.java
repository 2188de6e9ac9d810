package dev.turnout.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceContextTest {
  @Test
  void anL5dCtxTraceOf32BytesIsSpanParentTraceAndFlagsBigEndian() {
    byte[] b = new byte[32];
    b[7] = 0x0a; // span 10
    b[15] = 0x0b; // parent 11
    b[23] = 0x0c; // trace 12
    b[31] = 2 | 4; // sampling known, sampled

    Optional<TraceContext> c = TraceContext.fromL5d(Base64.getEncoder().encodeToString(b));

    assertThat(c).contains(new TraceContext(0, 12, 10, Optional.of(true)));
  }

  @Test
  void l5dCtxTraceFlagsSaySampledNotSampledDebugOrUndecided() {
    assertThat(TraceContext.fromL5d(TraceContext.l5d(0, 5, 6, 7, false)).get().sampled()).contains(false);
    byte[] undecided = Base64.getDecoder().decode(TraceContext.l5d(0, 5, 6, 7, false));
    undecided[31] = 0;
    assertThat(TraceContext.fromL5d(Base64.getEncoder().encodeToString(undecided)).get().sampled()).isEmpty();
    undecided[31] = 1; // debug
    assertThat(TraceContext.fromL5d(Base64.getEncoder().encodeToString(undecided)).get().sampled()).contains(true);
  }

  @Test
  void a128BitTraceIdTravelsIn40BytesOfL5dCtxTrace() {
    String written = TraceContext.l5d(0x1234L, 0x5678L, 9, 8, true);

    assertThat(Base64.getDecoder().decode(written)).hasSize(40);
    assertThat(TraceContext.fromL5d(written)).contains(new TraceContext(0x1234L, 0x5678L, 9, Optional.of(true)));
  }

  @Test
  void traceparentIsReadAndWrittenAsW3cSaysIt() {
    String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    TraceContext c = TraceContext.fromTraceparent(tp).orElseThrow();

    assertThat(c).isEqualTo(new TraceContext(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, Optional.of(true)));
    assertThat(TraceContext.traceparent(c.traceIdHigh(), c.traceId(), c.spanId(), true)).isEqualTo(tp);
  }

  @Test
  void malformedHeadersAreNoContext() {
    assertThat(TraceContext.fromTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isEmpty();
    assertThat(TraceContext.fromTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isEmpty();
    assertThat(TraceContext.fromTraceparent("00-xyz")).isEmpty();
    assertThat(TraceContext.fromL5d("not base64!")).isEmpty();
    assertThat(TraceContext.fromL5d(Base64.getEncoder().encodeToString(new byte[16]))).isEmpty();
  }
}
