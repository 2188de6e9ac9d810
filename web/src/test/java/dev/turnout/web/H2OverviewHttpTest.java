package dev.turnout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.naming.Interpreter;
import dev.turnout.proxy.ProxyServer;
import dev.turnout.proxy.RunningProxy;
import dev.turnout.routing.StoreDtabSource;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import dev.turnout.testing.PerTest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An h2 router following the dashboard's namespace, with real grpc-java calls through it: the overview
 * shows it as an HTTP/2 router, its success rate counted on grpc-status and its failures named by gRPC
 * code; the editor lists its service names and projects a draft over its traffic as for an http router.
 */
class H2OverviewHttpTest {
  @RegisterExtension final PerTest<DashboardFixture> dash = PerTest.of(DashboardFixture::new);
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;

  private static final MethodDescriptor.Marshaller<String> TEXT =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final MethodDescriptor<String, String> CALL =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Status/Call")
          .setRequestMarshaller(TEXT)
          .setResponseMarshaller(TEXT)
          .build();

  /** A grpc-java server answering {@code ok} with a message and a number N with gRPC status N. */
  private int backend() throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("test.Status")
            .addMethod(CALL, ServerCalls.asyncUnaryCall((String req, io.grpc.stub.StreamObserver<String> out) -> {
              if (req.equals("ok")) {
                out.onNext("fine");
                out.onCompleted();
              } else {
                out.onError(Status.fromCodeValue(Integer.parseInt(req)).withDescription("asked for " + req).asRuntimeException());
              }
            }))
            .build();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    cleanup.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return server.getPort();
  }

  /** An h2 router "grpc" on a free port whose routes are the store's namespace "default". */
  private int h2Router() {
    String yaml = "routers:\n- protocol: h2\n  label: grpc\n  servers: [{port: 0}]\n  dtab: /x => /y;\n";
    List<RouterConfig> routers = ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers();
    RunningProxy running = cleanup.add(ProxyServer.start(
        routers, new Interpreter(List.of()), r -> new StoreDtabSource(dash.get().store, "default", r.dtab()),
        dash.get().metrics));
    return running.port("grpc");
  }

  private String call(ManagedChannel ch, String what) {
    try {
      return ClientCalls.blockingUnaryCall(ch, CALL, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), what);
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode().name();
    }
  }

  @Test
  void anH2RoutersGrpcCallsShowWithTheirStatusCodesAndInTheEditor() throws Exception {
    int backend = backend();
    String v1 = dash.get().store.current("default").orElseThrow().etag();
    dash.get().store.update("default", "/svc/users => /$/inet/127.0.0.1/" + backend + ";", Optional.of(v1), "admin", "users over gRPC");
    int port = h2Router();
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().overrideAuthority("users").build();
    cleanup.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

    List<String> answers = List.of(
        call(ch, "ok"), call(ch, "ok"), call(ch, "ok"), call(ch, "14"), call(ch, "14"), call(ch, "4"));

    assertThat(answers).containsExactly("fine", "fine", "fine", "UNAVAILABLE", "UNAVAILABLE", "DEADLINE_EXCEEDED");
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    String[] page = new String[1];
    Await.until("the overview shows the gRPC failures", Duration.ofSeconds(10), () -> {
      page[0] = b.get("/").body();
      return page[0].contains("data-kind=\"grpc-4\"");
    });
    String router = page[0].substring(page[0].indexOf("aria-label=\"Router grpc\""));
    String destination = "/$/inet/127.0.0.1/" + backend;
    assertThat(router)
        .contains("data-testid=\"protocol\">HTTP/2<")
        .contains("data-testid=\"grpc-note\"")
        .contains("data-service=\"/svc/users\"")
        .contains("data-client=\"" + destination + "\"")
        .containsSubsequence(
            "data-kind=\"grpc-14\"><span class=\"mono\">UNAVAILABLE</span> 2",
            "data-kind=\"grpc-4\"><span class=\"mono\">DEADLINE_EXCEEDED</span> 1")
        .contains("50.0%")
        .doesNotContain("HTTP 200");
    assertThat(page[0].substring(0, page[0].indexOf("aria-label=\"Router grpc\"")))
        .as("the http router of the fixture").doesNotContain("data-testid=\"protocol\"");

    String editor = b.get("/dtabs/default").body();
    assertThat(editor).contains("<option value=\"/svc/users\">");
    String draft = "/svc/users => 3 * /$/inet/127.0.0.1/" + backend + " & 1 * /$/inet/127.0.0.1/1;";
    String check = b.htmx("/dtabs/default/check", Map.of("text", draft)).body();
    assertThat(check).contains("data-testid=\"projection\"").contains("data-destination=\"" + destination + "\"");
    assertThat(check.substring(check.indexOf("data-destination=\"" + destination + "\"")))
        .containsPattern("<td>100%</td>\\s*<td class=\"draft-share\">75%</td>");

    // a canary started on the h2 route, then its slider moved to 20%: the projection follows the h2 traffic
    String current = "/svc/users => /$/inet/127.0.0.1/" + backend + ";";
    String canary = b.htmx("/dtabs/default/canary",
        Map.of("text", current, "dentry", "0", "canary_dst_0", "/$/inet/127.0.0.1/2")).body();
    assertThat(canary).contains("/svc/users =&gt; /$/inet/127.0.0.1/" + backend + " &amp; 0.00*/$/inet/127.0.0.1/2;");
    String canaryText = "/svc/users => /$/inet/127.0.0.1/" + backend + " & 0.00*/$/inet/127.0.0.1/2;";
    HttpResponse<String> moved = b.send(HttpRequest.newBuilder(URI.create(dash.get().url("/dtabs/default/weight")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("HX-Request", "true")
        .header("HX-Trigger", "w-d0-1")
        .header("X-CSRF-Token", b.csrf)
        .POST(HttpRequest.BodyPublishers.ofString(
            "text=" + URLEncoder.encode(canaryText, StandardCharsets.UTF_8) + "&w-d0-1=20")));
    assertThat(moved.statusCode()).isEqualTo(200);
    assertThat(moved.body())
        .contains("0.80*/$/inet/127.0.0.1/" + backend + " &amp; 0.20*/$/inet/127.0.0.1/2;")
        .containsPattern("id=\"w-d0-0\"[^>]*value=\"80\"");
    assertThat(moved.body().substring(moved.body().indexOf("data-destination=\"" + destination + "\"")))
        .containsPattern("<td>100%</td>\\s*<td class=\"draft-share\">80%</td>");
  }
}
