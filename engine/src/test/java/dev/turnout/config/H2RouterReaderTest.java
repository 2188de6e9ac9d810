package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.routing.GrpcClassifier;
import dev.turnout.routing.ResponseClass;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An h2 router's config, with Linkerd 1's h2 keys, names and defaults. */
class H2RouterReaderTest {
  private final Blocks blocks = new Blocks();

  private RouterConfig router(String yaml) {
    List<RouterConfig> rs = RouterReader.readAll(blocks.context, blocks.at("routers", yaml));
    assertThat(rs).hasSize(1);
    return rs.get(0);
  }

  @Test
  void anH2RouterHasLinkerdsDefaults() {
    RouterConfig r = router("[{protocol: h2}]");

    assertThat(r.h2()).isTrue();
    assertThat(r.label()).isEqualTo("h2");
    assertThat(r.servers().get(0).port()).isEqualTo(4142);
    assertThat(r.servers().get(0).h2()).isEqualTo(H2Settings.DEFAULT);
    assertThat(r.servers().get(0).h2().maxConcurrentStreamsPerConnection()).isEqualTo(1000);
    assertThat(r.identifiers()).extracting(IdentifierConfig::kind, IdentifierConfig::header)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("io.l5d.header.token", ":authority"));
    assertThat(r.service().responseClassifier()).isEqualTo("io.l5d.h2.nonRetryable5XX");
  }

  @Test
  void serverSettingsAreReadUnderLinkerdsKeys() {
    RouterConfig r = router("[{protocol: h2, servers: [{port: 1, maxConcurrentStreamsPerConnection: 10,"
        + " initialStreamWindowBytes: 1048576, maxFrameBytes: 32768, maxHeaderListBytes: 8192, headerTableBytes: 0}]}]");

    assertThat(r.servers().get(0).h2()).isEqualTo(new H2Settings(10, 1048576, 32768, 8192, 0));
  }

  @Test
  void aFrameSizeOutsideRfc9113IsRefused() {
    assertThatThrownBy(() -> router("[{protocol: h2, servers: [{port: 1, maxFrameBytes: 1024}]}]"))
        .hasMessage("routers[0].servers[0].maxFrameBytes must be 16384 to 16777215 (RFC 9113 section 6.5.2)");
  }

  @Test
  void anHttpRoutersServerReadsPastH2KeysWithAWarning() {
    router("[{servers: [{port: 1, maxFrameBytes: 32768}]}]");

    assertThat(blocks.context.warnings().toString()).contains("routers[0].servers[0].maxFrameBytes");
  }

  @Test
  void theGrpcPathIdentifierTakesSegments() {
    RouterConfig r = router("[{protocol: h2, identifier: {kind: io.l5d.header.path, segments: 1}}]");

    assertThat(r.identifiers().get(0).header()).isEqualTo(":path");
    assertThat(r.identifiers().get(0).segments()).isEqualTo(1);
  }

  @Test
  void anHttpOnlyIdentifierIsLeftOutOfAnH2RouterWithAWarning() {
    assertThatThrownBy(() -> router("[{protocol: h2, identifier: {kind: io.l5d.methodAndHost}}]"))
        .hasMessageContaining("no identifier Turnout implements");
    assertThat(blocks.context.warnings().toString()).contains("io.l5d.methodAndHost is not implemented by Turnout for h2 routers");
  }

  @Test
  void grpcClassifiersKeepTheirCodes() {
    RouterConfig r = router("[{protocol: h2, service: {responseClassifier:"
        + " {kind: io.l5d.h2.grpc.retryableStatusCodes, retryableStatusCodes: [4, 14], successStatusCodes: [0, 5]}}}]");

    GrpcClassifier g = GrpcClassifier.parse(r.service().responseClassifier());
    assertThat(g.kind()).isEqualTo(GrpcClassifier.Kind.RETRYABLE_STATUS_CODES);
    assertThat(g.successStatusCodes()).isEqualTo(Set.of(0, 5));
    assertThat(g.classifyStatus(5)).isEqualTo(ResponseClass.SUCCESS);
    assertThat(g.classifyStatus(4)).isEqualTo(ResponseClass.RETRYABLE_FAILURE);
    assertThat(g.classifyStatus(13)).isEqualTo(ResponseClass.FAILURE);
  }

  @Test
  void theDefaultGrpcClassifierRetriesUnavailableOnly() {
    GrpcClassifier g = GrpcClassifier.parse(
        router("[{protocol: h2, service: {responseClassifier: {kind: io.l5d.h2.grpc.default}}}]").service().responseClassifier());

    assertThat(g.classifyStatus(0)).isEqualTo(ResponseClass.SUCCESS);
    assertThat(g.classifyStatus(14)).isEqualTo(ResponseClass.RETRYABLE_FAILURE);
    assertThat(g.classifyStatus(2)).isEqualTo(ResponseClass.FAILURE);
    assertThat(g.classifyHttp(503)).isEqualTo(ResponseClass.FAILURE);
    assertThat(g.classifyHttp(200)).isNull();
  }

  @Test
  void theCompliantGrpcClassifierRetriesGatewayStatuses() {
    GrpcClassifier g = GrpcClassifier.parse(
        router("[{protocol: h2, service: {responseClassifier: {kind: io.l5d.h2.grpc.compliant}}}]").service().responseClassifier());

    assertThat(g.classifyHttp(503)).isEqualTo(ResponseClass.RETRYABLE_FAILURE);
    assertThat(g.classifyHttp(500)).isEqualTo(ResponseClass.FAILURE);
  }

  @Test
  void retryableStatusCodesNeedsItsCodes() {
    assertThatThrownBy(() -> router("[{protocol: h2, service: {responseClassifier: {kind: io.l5d.h2.grpc.retryableStatusCodes}}}]"))
        .hasMessage("routers[0].service.responseClassifier.retryableStatusCodes: required by io.l5d.h2.grpc.retryableStatusCodes");
  }

  @Test
  void anHttpClassifierNameOnAnH2RouterPointsToTheH2One() {
    assertThatThrownBy(() -> router("[{protocol: h2, service: {responseClassifier: {kind: io.l5d.http.retryableRead5XX}}}]"))
        .hasMessageContaining("use the io.l5d.h2. one of that name");
  }

  @Test
  void anH2RouterWritesItsLogUnderH2AccessLog() {
    RouterConfig r = router("[{protocol: h2, h2AccessLog: " + java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "turnout-h2-reader.log") + "}]");

    assertThat(r.accessLog()).isPresent();
    assertThatThrownBy(() -> router("[{protocol: h2, httpAccessLog: " + java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "turnout-h2-reader-x.log") + "}]"))
        .hasMessageContaining("use h2AccessLog");
  }
}
