package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.IdentifierConfig;
import dev.turnout.dtab.Path;
import io.undertow.Handlers;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.URI;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketTest {
  private final Backend echo =
      Backend.start(
          "echo",
          Handlers.websocket(
              (exchange, channel) -> {
                channel.getReceiveSetter().set(new AbstractReceiveListener() {
                  @Override
                  protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                    WebSockets.sendText("echo: " + message.getData(), ch, null);
                  }
                });
                channel.resumeReceives();
              }));
  private Fixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    echo.close();
  }

  @Test
  void webSocketUpgradePassesThroughBothWays() throws Exception {
    fx = new Fixture(Fixture.withIdentifiers(Fixture.router("/svc/ws => /$/inet/127.0.0.1/" + echo.port() + ";"),
        List.of(new IdentifierConfig("io.l5d.static", null, null, 0, false, false, Path.read("/ws")))));
    CompletableFuture<String> reply = new CompletableFuture<>();

    WebSocket ws =
        fx.http
            .newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + fx.port() + "/chat"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    reply.complete(data.toString());
                    return null;
                  }
                })
            .get(5, TimeUnit.SECONDS);
    ws.sendText("hello", true).get(5, TimeUnit.SECONDS);

    assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("echo: hello");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
  }
}
