package dev.turnout.proxy.upstream;

import io.undertow.client.ClientExchange;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Transfer;
import java.io.IOException;
import java.nio.channels.Channel;
import org.xnio.ChannelExceptionHandler;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;

/**
 * A switched protocol (a WebSocket, say): after the backend's 101 answer and once both sides have
 * switched, bytes flow each way untouched until either side closes, which closes both.
 */
final class Tunnel {
  private Tunnel() {}

  /** Passes the 101 on to the caller and joins the two connections once the caller's has switched. */
  static void open(HttpServerExchange exchange, ClientExchange result) {
    exchange.getResponseHeaders().put(Headers.CONNECTION, "Upgrade");
    String upgrade = result.getResponse().getResponseHeaders().getFirst(Headers.UPGRADE);
    if (upgrade != null) {
      exchange.getResponseHeaders().put(Headers.UPGRADE, upgrade);
    }
    exchange.upgradeChannel(
        (StreamConnection caller, HttpServerExchange ex) -> {
          StreamConnection backend = null;
          try {
            backend = result.getConnection().performUpgrade();
            pipe(backend, caller, result);
            pipe(caller, backend, result);
          } catch (IOException e) {
            IoUtils.safeClose(caller, backend);
          }
        });
  }

  private static void pipe(StreamConnection from, StreamConnection to, ClientExchange result) {
    ChannelExceptionHandler<Channel> close = (c, e) -> IoUtils.safeClose(from, to);
    Transfer.initiateTransfer(
        from.getSourceChannel(),
        to.getSinkChannel(),
        ChannelListeners.closingChannelListener(),
        ChannelListeners.writeShutdownChannelListener(
            ChannelListeners.<StreamSinkChannel>flushingChannelListener(
                ChannelListeners.closingChannelListener(),
                ChannelListeners.closingChannelExceptionHandler()),
            ChannelListeners.closingChannelExceptionHandler()),
        close,
        close,
        result.getConnection().getBufferPool());
  }
}
