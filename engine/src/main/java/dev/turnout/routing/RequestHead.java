package dev.turnout.routing;

import java.util.Optional;
import java.util.function.Function;

/**
 * What identification may look at: the request line and headers, independent of the HTTP server. The
 * proxy reads them from its exchange only when an identifier asks (a Host identifier reads one header
 * and nothing else); {@link #of} holds them as given.
 *
 * <p>Good only while the identifier is called: the proxy hands each IO thread's requests one object,
 * pointed at the request being identified, so an identifier keeps none of it.
 */
public interface RequestHead {
  /** The method, {@code GET}. */
  String method();

  /** The request path without query, as sent ({@code /users/42}). */
  String path();

  /** The query string without {@code ?}, empty when absent. */
  String query();

  /** {@code HTTP/1.1} or {@code HTTP/1.0}. */
  String version();

  /** The first value of a header, by case-insensitive name; null when absent. */
  String header(String name);

  /** As {@link #header}, empty for absent or blank, stripped. */
  default Optional<String> headerValue(String name) {
    return Optional.ofNullable(headerText(name));
  }

  /** As {@link #headerValue}, null for empty: for a lookup made on every request, with no Optional. */
  default String headerText(String name) {
    String v = header(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  /** A head of the given parts; {@code headers} gives a header's first value by case-insensitive name. */
  static RequestHead of(String method, String path, String query, String version, Function<String, String> headers) {
    return new Given(method, path, query, version, headers);
  }

  /** A head of given parts. */
  record Given(String method, String path, String query, String version, Function<String, String> headers)
      implements RequestHead {
    @Override
    public String header(String name) {
      return headers.apply(name);
    }
  }
}
