package dev.turnout.proxy.upstream;

import io.undertow.util.HttpString;

/**
 * Where the header lines of a request going upstream are written, one name and value at a time and in
 * the order they go out: Turnout's client encodes each straight into the head's bytes ({@link
 * Http1Head}), Undertow's clients add each to their request's {@code HeaderMap} ({@code map::add}).
 * A name may come more than once (a field the caller sent twice); the writer sends nothing twice that
 * a backend must see once.
 */
@FunctionalInterface
public interface HeaderSink {
  void header(HttpString name, String value);

  /** Writes {@code name} with {@code value} in hex as {@link Long#toHexString} spells it. */
  default void hexHeader(HttpString name, long value) {
    header(name, Long.toHexString(value));
  }
}
