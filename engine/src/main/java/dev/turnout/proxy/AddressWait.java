package dev.turnout.proxy;

import dev.turnout.naming.Addr;
import dev.turnout.routing.Client;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;

/**
 * A request's wait for a pending address (a host name DNS has not answered yet, a name the control
 * plane has not bound yet), up to the router's {@code bindingTimeoutMs}, as Linkerd 1 waits for a
 * pending name; and, when the client still has no endpoint, the words that say why. Whichever of the
 * answer and the timer comes first ends the wait, on the request's IO thread.
 */
final class AddressWait {
  private final Runnable then;
  private AutoCloseable subscription;
  private XnioExecutor.Key timer;
  private boolean done;

  private AddressWait(Runnable then) {
    this.then = then;
  }

  /** Waits for {@code client}'s address to settle, then runs {@code then} on {@code io}. */
  static void start(Client client, XnioExecutor io, long timeoutMillis, Runnable then) {
    AddressWait wait = new AddressWait(then);
    // The variable changes on a DNS thread; the request goes on on its own IO thread.
    wait.subscription = client.onStateChange(() -> io.execute(wait::resume));
    wait.timer = io.executeAfter(wait::resume, timeoutMillis, TimeUnit.MILLISECONDS);
    if (!(client.state() instanceof Addr.Pending)) {
      // Answered between the first look and the observer's registration.
      io.execute(wait::resume);
    }
  }

  /** Runs on the IO thread (after {@link #start} has returned, so both fields are set). */
  private void resume() {
    if (done) {
      return;
    }
    done = true;
    timer.remove();
    try {
      subscription.close();
    } catch (Exception cannotHappen) {
      // closing a Var observer only removes it from a list
    }
    then.run();
  }

  /**
   * Why a client with address {@code state} has no endpoint to try: unknown host, failed (a malformed
   * address names itself), still pending after the wait, or bound to no endpoint.
   */
  static String why(Addr state, String clientId, long bindingTimeoutMillis) {
    if (state instanceof Addr.Neg) {
      return "the address of " + clientId + " does not exist (unknown host or name gone)";
    } else if (state instanceof Addr.Failed f) {
      return f.message();
    } else if (state instanceof Addr.Pending) {
      return "the address of " + clientId + " was still being resolved after the router's "
          + bindingTimeoutMillis + " ms binding timeout (bindingTimeoutMs)";
    }
    return "No hosts are available for " + clientId;
  }
}
