package dev.turnout.proxy;

import dev.turnout.proxy.upstream.ShadowStream;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpAttachments;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The caller's request body as the real request reads it, shown to a shadow copy on the way: every run
 * of bytes a read returns goes to the copy ({@link ShadowStream#bytes}, which copies it), and the body's
 * end, with the caller's trailers, too. The real request reads at its own pace and is never held back:
 * a copy that cannot keep up drops itself. Installed as a request wrapper of the exchange before anyone
 * reads the body ({@link #install}), so it sees every byte whoever reads them (a held body or a
 * streamed one). An exchange that ends before its body was read to its end resets the copy; one whose
 * request side ended without the end being seen here (Undertow ended it) ends the copy's body there.
 */
final class BodyTee extends AbstractStreamSourceConduit<StreamSourceConduit> {
  private final HttpServerExchange exchange;
  private final ShadowStream copy;
  private boolean ended;

  private BodyTee(StreamSourceConduit next, HttpServerExchange exchange, ShadowStream copy) {
    super(next);
    this.exchange = exchange;
    this.copy = copy;
  }

  /** Shows {@code exchange}'s body to {@code copy} as it is read. Before the body's channel is first asked for. */
  static void install(HttpServerExchange exchange, ShadowStream copy) {
    BodyTee[] tee = {null};
    exchange.addRequestWrapper((factory, ex) -> tee[0] = new BodyTee(factory.create(), ex, copy));
    exchange.addExchangeCompleteListener(
        (ex, next) -> {
          try {
            if (tee[0] == null || !tee[0].ended) {
              if (ex.isRequestComplete() && tee[0] != null) {
                tee[0].end();
              } else {
                copy.bodyAbandoned();
              }
            }
          } finally {
            next.proceed();
          }
        });
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int from = dst.position();
    int n = next.read(dst);
    if (n > 0) {
      show(dst, from);
    } else if (n < 0) {
      end();
    }
    return n;
  }

  @Override
  public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
    int[] from = new int[len];
    for (int i = 0; i < len; i++) {
      from[i] = dsts[offs + i].position();
    }
    long n = next.read(dsts, offs, len);
    if (n > 0) {
      for (int i = 0; i < len; i++) {
        show(dsts[offs + i], from[i]);
      }
    } else if (n < 0) {
      end();
    }
    return n;
  }

  @Override
  public long transferTo(long position, long count, FileChannel target) throws IOException {
    return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
  }

  @Override
  public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
    return Conduits.transfer(this, count, throughBuffer, target);
  }

  private void show(ByteBuffer dst, int from) {
    if (dst.position() > from) {
      ByteBuffer run = dst.duplicate();
      run.limit(dst.position()).position(from);
      copy.bytes(run);
    }
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (exchange.getAttachment(H2Streams.CUT) != null) {
      copy.bodyAbandoned(); // the end seen is the router's cut, not the caller's END_STREAM
      return;
    }
    copy.bodyEnded(exchange.getAttachment(HttpAttachments.REQUEST_TRAILERS));
  }
}
