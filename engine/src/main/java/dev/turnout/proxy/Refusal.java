package dev.turnout.proxy;

/**
 * A request a step of the router's chain will not pass on: the chain answers it with {@code
 * status} and the message (also in {@code l5d-err}), in one place. Expected, so it carries no stack
 * trace: a caller that sends loops or bad dtabs costs the proxy no more than the answer.
 */
final class Refusal extends RuntimeException {
  final int status;

  Refusal(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
