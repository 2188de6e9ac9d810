package dev.turnout.routing;

/**
 * An identifier could not name the request because the request itself is bad for it (a header that
 * does not read as a path, a URI that is not one): unlike a request the identifier simply does not
 * apply to, this ends identification at once, answered 400, and later identifiers are not tried.
 * Linkerd's {@code RoutingFactory.Identifier.compose} does the same with an identifier's failed future
 * (its {@code flatMap} passes only an {@code UnidentifiedRequest} on to the next identifier).
 */
public final class IdentificationException extends IllegalArgumentException {
  public IdentificationException(String message) {
    super(message);
  }
}
