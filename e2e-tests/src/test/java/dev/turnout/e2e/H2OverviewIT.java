package dev.turnout.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.turnout.app.TurnoutServer;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Turnout as a user runs it with one h2 router following the store's namespace, real grpc-java calls
 * through it, and the overview in Chromium: the router marked HTTP/2, its failures named by gRPC code.
 */
class H2OverviewIT {
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

  private final List<AutoCloseable> parts = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = parts.size() - 1; i >= 0; i--) {
      parts.get(i).close();
    }
  }

  @Test
  void theOverviewShowsAnH2RouterWithItsGrpcFailuresByName(@TempDir Path dir) throws Exception {
    PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    Server backend = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerServiceDefinition.builder("test.Status")
            .addMethod(CALL, ServerCalls.asyncUnaryCall((String req, io.grpc.stub.StreamObserver<String> out) -> {
              if (req.equals("ok")) {
                out.onNext("fine");
                out.onCompleted();
              } else {
                out.onError(Status.UNAVAILABLE.withDescription("down for the test").asRuntimeException());
              }
            }))
            .build())
        .build()
        .start();
    parts.add(() -> backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    Path data = dir.resolve("data");
    try (JdbcDtabStore store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(data)).passwordIterations(1000).open()) {
      store.userStore().put(Turnout.OPERATOR, Role.OPERATOR, Turnout.PASSWORD.toCharArray());
      store.create(Turnout.NAMESPACE, "/svc/users => /$/inet/127.0.0.1/" + backend.getPort() + ";", "e2e", "seed");
    }
    Path config = dir.resolve("turnout.yml");
    Files.writeString(config,
        "admin: {ip: 127.0.0.1, port: 0}\n"
            + "routers:\n"
            + "- protocol: h2\n"
            + "  label: grpc\n"
            + "  interpreter: {kind: io.l5d.namerd, namespace: " + Turnout.NAMESPACE + "}\n"
            + "  servers: [{ip: 127.0.0.1, port: 0}]\n"
            + "storage: {kind: h2, path: " + data.toAbsolutePath() + "}\n");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    TurnoutServer server = TurnoutServer.start(
        new TurnoutServer.Options(config, data, 0, 0, false), new PrintStream(printed, true, StandardCharsets.UTF_8));
    parts.add(server::close);
    String lines = printed.toString(StandardCharsets.UTF_8);
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port(lines, "proxy"))
        .usePlaintext().overrideAuthority("users").build();
    parts.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    List<String> answers = new ArrayList<>();
    for (String ask : List.of("ok", "ok", "down", "down")) {
      try {
        answers.add(ClientCalls.blockingUnaryCall(ch, CALL, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), ask));
      } catch (StatusRuntimeException e) {
        answers.add(e.getStatus().getCode().name());
      }
    }
    assertThat(answers).containsExactly("fine", "fine", "UNAVAILABLE", "UNAVAILABLE");
    Chromium chromium = Chromium.launch();
    parts.add(chromium::close);
    Page page = Screens.open(chromium.browser, 1280);
    String admin = "http://127.0.0.1:" + port(lines, "admin");

    Screens.signIn(page, admin, Turnout.OPERATOR, Turnout.PASSWORD);

    Locator router = page.locator("section[aria-label='Router grpc']");
    assertThat(router.getByTestId("protocol")).hasText("HTTP/2");
    Locator users = router.locator("article[data-service='/svc/users']");
    assertThat(users.getByTestId("failures")).containsText("UNAVAILABLE 2");
    assertThat(users.locator("tbody tr td.failed").first()).containsText("UNAVAILABLE 2");
    Screens.shot(page, "15-overview-h2");
  }

  private static int port(String printed, String what) {
    Matcher m = Pattern.compile("turnout: " + what + " listening on ([0-9.]+):(\\d+)").matcher(printed);
    if (!m.find()) {
      throw new IllegalStateException("Turnout did not print its " + what + " port; it printed:\n" + printed);
    }
    return Integer.parseInt(m.group(2));
  }
}
