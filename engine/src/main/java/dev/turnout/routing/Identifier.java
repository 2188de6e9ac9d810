package dev.turnout.routing;

import dev.turnout.config.IdentifierConfig;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a request into a service name, as Linkerd 1's HTTP identifiers do (dtab.md section 4). Empty
 * when this identifier does not apply to the request, and the next one in the list is tried; {@link
 * IdentificationException} when the request is bad for it, which ends identification (400).
 *
 * <p>Each rule below names the Linkerd 1 source it follows: {@code router/http/src/main/scala/io/
 * buoyant/router/http/*Identifier.scala} for the identifiers, {@code linkerd/protocol/http/src/main/
 * scala/io/buoyant/linkerd/protocol/http/*IdentifierConfig.scala} for their config defaults, and
 * {@code router/core/src/main/scala/io/buoyant/router/RoutingFactory.scala} for lists of them. Every
 * identifier puts the router's {@code dstPrefix} first (the config's {@code prefix:} key, a Turnout
 * addition, replaces it for one identifier).
 */
@FunctionalInterface
public interface Identifier {

  /** How many distinct header values an identifier remembers the names of. */
  int REMEMBERED = 10_000;

  /**
   * @throws IdentificationException when the request is bad for this identifier
   */
  Optional<Identification> identify(RequestHead request);

  /** The identifier a config entry describes; {@code dstPrefix} is used when it names no prefix. */
  static Identifier of(IdentifierConfig config, Path dstPrefix) {
    Path prefix = config.prefix() != null ? config.prefix() : dstPrefix;
    switch (config.kind()) {
      case "io.l5d.header.token":
        // HeaderTokenIdentifierConfig: header defaults to Host.
        return headerToken(prefix, config.header() == null ? "Host" : config.header());
      case "io.l5d.header":
        // HeaderIdentifierConfig: header defaults to Headers.Prefix + "name", i.e. l5d-name.
        return headerPath(prefix, config.header() == null ? "l5d-name" : config.header());
      case "io.l5d.header.path":
        // h2's HeaderPathIdentifierConfig: header defaults to :path, segments to the whole path.
        return headerUriPath(prefix, config.header() == null ? ":path" : config.header(), config.segments());
      case "io.l5d.methodAndHost":
        return methodAndHost(prefix, config.httpUriInDst());
      case "io.l5d.path":
        // PathIdentifierConfig: segments defaults to 1, consume to false.
        return pathSegments(prefix, Math.max(1, config.segments()), config.consume());
      case "io.l5d.static":
        return fixed(prefix, config.staticPath());
      default:
        throw new IllegalArgumentException("unknown identifier kind " + config.kind());
    }
  }

  /**
   * Tries {@code identifiers} in order; the first that names the request wins. An {@link
   * IdentificationException} is not caught: as in RoutingFactory.Identifier.compose, only "does not
   * apply" moves on to the next identifier.
   */
  static Identifier firstOf(List<Identifier> identifiers) {
    // An array, walked by index: a for-each over the list made an iterator for every request.
    Identifier[] all = List.copyOf(identifiers).toArray(new Identifier[0]);
    return r -> {
      for (Identifier i : all) {
        Optional<Identification> id = i.identify(r);
        if (id.isPresent()) {
          return id;
        }
      }
      return Optional.empty();
    };
  }

  /**
   * {@code io.l5d.header.token} (HeaderIdentifier with headerPath false): the header's first value as
   * one label, as it is, port and all: {@code Host: users:8080} gives {@code /svc/users:8080} (Linkerd
   * does not strip the port, and does not lower-case here). An absent or empty header does not apply
   * ({@code case None | Some("")}). The few distinct values a router sees are remembered (up to {@link
   * #REMEMBERED}), so a request usually builds no path at all.
   */
  static Identifier headerToken(Path prefix, String header) {
    ConcurrentHashMap<String, Optional<Identification>> seen = new ConcurrentHashMap<>();
    return r -> {
      String value = r.headerText(header);
      if (value == null) {
        return Optional.empty();
      }
      Optional<Identification> known = seen.get(value);
      if (known == null) {
        known = Optional.of(named(prefix.concat(Path.utf8(value))));
        if (seen.size() < REMEMBERED) {
          seen.put(value, known);
        }
      }
      return known;
    };
  }

  /**
   * {@code io.l5d.header} (HeaderIdentifier with headerPath true): the header's first value read as a
   * path ({@code Path.read}): {@code l5d-name: /a/b} gives {@code /svc/a/b}, and {@code l5d-name: /}
   * gives {@code /svc} itself. An absent or empty header does not apply; a value that is not a path
   * fails identification (Linkerd's {@code Try} around {@code Path.read} becomes a failed future).
   */
  static Identifier headerPath(Path prefix, String header) {
    return r -> {
      Optional<String> value = r.headerValue(header);
      if (value.isEmpty()) {
        return Optional.empty();
      }
      Path p;
      try {
        p = Path.read(value.get());
      } catch (IllegalArgumentException e) {
        throw new IdentificationException(header + " header is not a path: " + e.getMessage());
      }
      return Optional.of(named(prefix.concat(p)));
    };
  }

  /**
   * {@code io.l5d.header.path} (h2's HeaderPathIdentifier): the header's value (by default {@code
   * :path}) read as a URI path, its query and a trailing {@code /} dropped, gives its first {@code
   * segments} labels, or all of them when {@code segments} is 0: gRPC's {@code /pkg.Svc/Method} gives
   * {@code /svc/pkg.Svc} with one segment. A path shorter than {@code segments}, an empty one or an
   * absent header does not apply; a value that is not a path fails identification.
   */
  static Identifier headerUriPath(Path prefix, String header, int segments) {
    return r -> {
      Optional<String> value = r.headerValue(header);
      if (value.isEmpty()) {
        return Optional.empty();
      }
      String uri = value.get();
      int q = uri.indexOf('?');
      if (q >= 0) {
        uri = uri.substring(0, q);
      }
      if (uri.endsWith("/")) {
        uri = uri.substring(0, uri.length() - 1);
      }
      if (uri.isEmpty()) {
        return Optional.empty();
      }
      Path p;
      try {
        p = Path.read(uri);
      } catch (IllegalArgumentException e) {
        throw new IdentificationException(header + " is not a path: " + e.getMessage());
      }
      if (p.size() == 0 || p.size() < segments) {
        return Optional.empty();
      }
      return Optional.of(named(prefix.concat(segments == 0 ? p : p.take(segments))));
    };
  }

  /**
   * {@code io.l5d.methodAndHost} (MethodAndHostIdentifier): HTTP/1.1 gives {@code /1.1/<method>/<host>}
   * with the Host header lower-cased (port kept: {@code Host: Web:8080} gives {@code web:8080}); a
   * missing or empty Host does not apply ("HTTP/1.1 request missing hostname"). HTTP/1.0 gives {@code
   * /1.0/<method>} with no host. Any other version does not apply ("Unknown HTTP version"). With {@code
   * httpUriInDst} the request path follows, read as a path ({@code Path.read(req.path)}), so a path that
   * is not one in dtab syntax (a trailing {@code /}, {@code //}, a character that is not a label
   * character) fails identification; {@code /} adds nothing.
   */
  static Identifier methodAndHost(Path prefix, boolean uriInDst) {
    return r -> {
      Path name;
      if ("HTTP/1.1".equals(r.version())) {
        Optional<String> host = r.headerValue("Host");
        if (host.isEmpty()) {
          return Optional.empty();
        }
        name = Path.utf8("1.1", r.method(), host.get().toLowerCase(Locale.ROOT));
      } else if ("HTTP/1.0".equals(r.version())) {
        name = Path.utf8("1.0", r.method());
      } else {
        return Optional.empty();
      }
      if (uriInDst) {
        try {
          name = name.concat(Path.read(r.path()));
        } catch (IllegalArgumentException e) {
          throw new IdentificationException("the request path is not a path: " + e.getMessage());
        }
      }
      return Optional.of(named(prefix.concat(name)));
    };
  }

  /**
   * {@code io.l5d.path} (PathIdentifier): the first {@code n} segments of the request path as labels,
   * taken as they are ({@code Path.Utf8}, not parsed), so {@code /mysvc/subsvc/some/path} with {@code
   * segments: 2} gives {@code /svc/mysvc/subsvc}. Segments are the path split on {@code /} after the
   * leading one, a trailing {@code /} ignored ({@code req.path.split("/").drop(1)}); fewer than {@code
   * n} does not apply ("not enough segments in path"). With {@code consume} the backend gets the rest
   * of the path, {@code /} when nothing is left, with a trailing {@code /} kept when the request had
   * one.
   *
   * <p>Two differences, both about paths Linkerd mangles rather than routes: an empty segment among the
   * first {@code n} ({@code //x}) does not apply here, where Linkerd names an empty label (which no
   * dtab prefix can spell); and the query string is always kept on the forwarded request, where
   * Linkerd's consume splits the whole URI on {@code /} and so drops the query when no path is left.
   */
  static Identifier pathSegments(Path prefix, int n, boolean consume) {
    return r -> {
      List<String> segs = segments(r.path());
      if (segs.size() < n) {
        return Optional.empty();
      }
      List<String> taken = segs.subList(0, n);
      if (taken.contains("")) {
        return Optional.empty();
      }
      Path service = prefix.concat(Path.utf8(taken.toArray(new String[0])));
      Optional<String> rewritten = Optional.empty();
      if (consume) {
        rewritten = Optional.of(rest(segs, n, r.path().endsWith("/")));
      }
      return Optional.of(new Identification(service, rewritten));
    };
  }

  /**
   * {@code io.l5d.static}: always {@code dstPrefix ++ path} (StaticIdentifierConfig builds {@code new
   * StaticIdentifier(prefix ++ path)}): {@code path: /foo/bar} names every request {@code
   * /svc/foo/bar}.
   */
  static Identifier fixed(Path prefix, Path path) {
    Identification fixed = named(prefix.concat(path));
    return r -> Optional.of(fixed);
  }

  private static Identification named(Path service) {
    return new Identification(service, Optional.empty());
  }

  /**
   * Java's {@code split("/")} after the leading slash, as Scala's {@code split} is: empty segments
   * inside are kept, trailing empty ones dropped.
   */
  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.isEmpty()) {
      return out;
    }
    for (String s : p.split("/")) {
      out.add(s);
    }
    return out;
  }

  /** The segments after the first {@code n}, as a path: {@code /} when none are left. */
  private static String rest(List<String> segs, int n, boolean trailingSlash) {
    if (segs.size() == n) {
      return "/";
    }
    return "/" + String.join("/", segs.subList(n, segs.size())) + (trailingSlash ? "/" : "");
  }
}
