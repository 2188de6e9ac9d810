package dev.turnout.routing;

/** How a response classifier judges one attempt. */
public enum ResponseClass {
  SUCCESS,
  /** A failure that must not be retried (the request may have had effects). */
  FAILURE,
  /** A failure that is safe to send again to another endpoint. */
  RETRYABLE_FAILURE;

  public boolean isSuccess() {
    return this == SUCCESS;
  }
}
