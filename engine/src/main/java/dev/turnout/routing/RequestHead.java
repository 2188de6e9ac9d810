package dev.turnout.routing;

import java.util.Optional;
import java.util.function.Function;

/**
 * What identification may look at: the request line and headers, independent of the HTTP server.
 *
 * @param path the request path without query, as sent ({@code /users/42})
 * @param query the query string without {@code ?}, empty when absent
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param header the first value of a header, by case-insensitive name
 */
public record RequestHead(
    String method, String path, String query, String version, Function<String, String> header) {

  Optional<String> headerValue(String name) {
    return Optional.ofNullable(headerText(name));
  }

  /** As {@link #headerValue}, null for empty: for a lookup made on every request, with no Optional. */
  String headerText(String name) {
    String v = header.apply(name);
    return v == null || v.isBlank() ? null : v.strip();
  }
}
