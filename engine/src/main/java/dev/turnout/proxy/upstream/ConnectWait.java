package dev.turnout.proxy.upstream;

import dev.turnout.routing.Endpoint;
import java.io.IOException;
import org.xnio.Cancellable;
import org.xnio.XnioExecutor;

/**
 * One attempt's wait for a connection, whichever client makes it. A pooled connection usually comes at
 * once, inside the call to the pool; a new one comes later, or never from a host that drops connection
 * attempts, which is what the timer is for. Whichever of the pool's answer and the timer comes first
 * decides the attempt; the other is ignored. The request may also give the wait up itself ({@link
 * #cancel}, at its attempt timeout): then neither is heard. Touched by the exchange's IO thread only.
 */
abstract class ConnectWait implements Cancellable {
  final Endpoint to;
  final UpstreamRequest request;
  final long timeoutMillis;
  /** Waiting for one of the pool's connections to be free, rather than for a new one to open. */
  boolean queued;
  boolean settled;
  XnioExecutor.Key timer;
  /** Cancels the pool's wait (a connection being made, or a place in its queue), when it can be. */
  Cancellable pending;

  ConnectWait(Endpoint to, boolean queued, long timeoutMillis, UpstreamRequest request) {
    this.to = to;
    this.queued = queued;
    this.timeoutMillis = timeoutMillis;
    this.request = request;
  }

  /** True the first time only: the attempt's outcome is this caller's to act on. */
  final boolean settle() {
    if (settled) {
      return false;
    }
    settled = true;
    if (timer != null) {
      timer.remove();
    }
    return !request.over();
  }

  /**
   * The request no longer wants this attempt (its attempt timeout passed): nothing more is reported,
   * the pool's wait is given up and a connection that comes later goes back to its pool.
   */
  @Override
  public final Cancellable cancel() {
    if (!settled) {
      settled = true;
      if (timer != null) {
        timer.remove();
        timer = null;
      }
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
    }
    return this;
  }

  /** The connect timeout has passed (the task the IO thread's timer runs). */
  final void timedOut() {
    timer = null;
    boolean mine = settle();
    if (pending != null) {
      pending.cancel(); // settled first: what cancelling reports is not this attempt's outcome
      pending = null;
    }
    if (mine) {
      try {
        unreached("no connection to " + to.key() + " within the " + timeoutMillis + " ms connect timeout");
      } catch (RuntimeException e) {
        request.unexpected("connecting", e);
      }
    }
  }

  /**
   * No connection came. For a queued request the pool's wait ran out: every connection it allows is
   * busy, which is not the endpoint refusing anything. Otherwise the endpoint could not be reached.
   */
  final void unreached(String why) {
    if (queued) {
      busy();
    } else {
      request.unreachable(to, why);
    }
  }

  final void busy() {
    request.busy(to, "no connection to " + to.key() + " free: all the connections allowed are in use");
  }

  static String reason(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
