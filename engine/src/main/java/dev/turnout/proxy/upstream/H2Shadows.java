package dev.turnout.proxy.upstream;

import dev.turnout.routing.Endpoint;
import dev.turnout.tls.ClientTls;
import io.undertow.UndertowOptions;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.connector.ByteBufferPool;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.XnioIoThread;

/**
 * The HTTP/2 connections that carry h2 routers' shadow copies ({@link ShadowStream}): as {@link
 * H2Upstream}'s, one per shadow endpoint and IO thread, every copy a stream on it, opened by {@link
 * H2Connect} (prior knowledge in plaintext, ALPN {@code h2} with the shadow client's {@code tls}). They
 * are kept apart from the connections of real requests, so a shadow's connection-level flow-control
 * window, {@code GOAWAY} or stream limit never touches a real request's, even when a shadow endpoint is
 * also a real one. A copy waiting for a connection that never comes ends at its own idle timeout.
 */
public final class H2Shadows implements AutoCloseable {
  private static final OptionMap H2_OPTIONS =
      OptionMap.builder().addAll(UpstreamClient.OPTIONS).set(UndertowOptions.ENABLE_HTTP2, true).getMap();

  private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();

  private record Key(XnioIoThread thread, String endpoint, Optional<ClientTls> tls) {}

  /**
   * Sends {@code copy} to {@code endpoint} on {@code thread}'s connection, opening it when there is
   * none. Must run on {@code thread}, the thread of the copy.
   */
  public void send(Endpoint endpoint, XnioIoThread thread, ByteBufferPool pool, ShadowStream copy) {
    URI plain;
    try {
      plain = UpstreamClient.uri(endpoint);
    } catch (IllegalArgumentException notAnAddress) {
      copy.unconnected();
      return;
    }
    Key key = new Key(thread, endpoint.key(), endpoint.tls());
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = slots.computeIfAbsent(key, k -> new Slot(k, plain));
    }
    slot.take(copy, pool);
  }

  /** Shadow connections open (or being opened), on every thread. */
  public int open() {
    int n = 0;
    for (Slot s : slots.values()) {
      ClientConnection c = s.conn;
      if (c != null && c.isOpen()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    for (Slot s : slots.values()) {
      ClientConnection c = s.conn;
      if (c != null) {
        c.getIoThread().execute(() -> IoUtils.safeClose(c));
      }
    }
    slots.clear();
  }

  /** One shadow endpoint's connection on one IO thread; touched by that thread only. */
  private static final class Slot implements ClientCallback<ClientConnection> {
    private final Key key;
    private final URI uri;
    volatile ClientConnection conn;
    private boolean connecting;
    private final ArrayDeque<ShadowStream> waiting = new ArrayDeque<>();

    Slot(Key key, URI plain) {
      this.key = key;
      this.uri = URI.create((key.tls().isPresent() ? "https://" : "h2c-prior://") + plain.getRawAuthority());
    }

    void take(ShadowStream copy, ByteBufferPool pool) {
      ClientConnection c = conn;
      if (c != null && c.isOpen()) {
        copy.send(c);
        return;
      }
      conn = null;
      waiting.removeIf(ShadowStream::over);
      waiting.add(copy);
      if (!connecting) {
        connecting = true;
        if (key.tls().isEmpty()) {
          H2Connect.plaintext(uri, key.thread(), pool, H2_OPTIONS, this);
        } else {
          H2Connect.tls(uri, key.thread(), UpstreamTls.forUndertow(key.tls().get(), "h2"), pool, H2_OPTIONS, this);
        }
      }
    }

    @Override
    public void completed(ClientConnection c) {
      connecting = false;
      if (!c.isMultiplexingSupported()) {
        IoUtils.safeClose(c);
        failed(new IOException("the shadow did not agree to HTTP/2"));
        return;
      }
      conn = c;
      c.addCloseListener(closed -> {
        if (conn == closed) {
          conn = null;
        }
      });
      ShadowStream s;
      while ((s = waiting.poll()) != null) {
        s.send(c);
      }
    }

    @Override
    public void failed(IOException e) {
      connecting = false;
      ShadowStream s;
      while ((s = waiting.poll()) != null) {
        s.unconnected();
      }
    }
  }
}
