package dev.turnout.routing;

import dev.turnout.config.IdentifierConfig;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a request into a service name, as Linkerd 1's HTTP identifiers do (dtab.md section 4). Empty
 * when this identifier cannot name the request; a list of identifiers is tried in order.
 */
@FunctionalInterface
public interface Identifier {

  /** How many distinct header values an identifier remembers the names of. */
  int REMEMBERED = 10_000;

  Optional<Identification> identify(RequestHead request);

  /** The identifier a config entry describes; {@code dstPrefix} is used when it names no prefix. */
  static Identifier of(IdentifierConfig config, Path dstPrefix) {
    Path prefix = config.prefix() != null ? config.prefix() : dstPrefix;
    switch (config.kind()) {
      case "io.l5d.header.token":
        return headerToken(prefix, config.header() == null ? "Host" : config.header());
      case "io.l5d.header":
        return headerPath(prefix, config.header() == null ? "l5d-name" : config.header());
      case "io.l5d.methodAndHost":
        return methodAndHost(prefix, config.httpUriInDst());
      case "io.l5d.path":
        return pathSegments(prefix, Math.max(1, config.segments()), config.consume());
      case "io.l5d.static":
        Identification fixed = new Identification(config.staticPath(), Optional.empty());
        return r -> Optional.of(fixed);
      default:
        throw new IllegalArgumentException("unknown identifier kind " + config.kind());
    }
  }

  /** Tries {@code identifiers} in order; the first that names the request wins. */
  static Identifier firstOf(List<Identifier> identifiers) {
    List<Identifier> all = List.copyOf(identifiers);
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
   * The header's value as one label: {@code Host: users} gives {@code /svc/users}. The few distinct
   * values a router sees are remembered (up to {@link #REMEMBERED} of them), so a request usually
   * builds no path at all.
   */
  static Identifier headerToken(Path prefix, String header) {
    java.util.concurrent.ConcurrentHashMap<String, Optional<Identification>> seen =
        new java.util.concurrent.ConcurrentHashMap<>();
    return r -> {
      Optional<String> value = r.headerValue(header);
      if (value.isEmpty()) {
        return Optional.empty();
      }
      Optional<Identification> known = seen.get(value.get());
      if (known != null) {
        return known;
      }
      Optional<Identification> id = Optional.of(named(prefix.concat(Path.utf8(value.get()))));
      if (seen.size() < REMEMBERED) {
        seen.put(value.get(), id);
      }
      return id;
    };
  }

  /** The header's value read as a path: {@code l5d-name: /a/b} gives {@code /svc/a/b}. */
  static Identifier headerPath(Path prefix, String header) {
    return r ->
        r.headerValue(header)
            .flatMap(
                v -> {
                  try {
                    Path p = Path.read(v);
                    return p.isEmpty() ? Optional.empty() : Optional.of(named(prefix.concat(p)));
                  } catch (IllegalArgumentException e) {
                    return Optional.empty();
                  }
                });
  }

  /**
   * {@code /1.1/GET/<host>[/uri segments]}; HTTP/1.0 has no host: {@code /1.0/GET}. An HTTP/1.1
   * request without a Host cannot be named.
   */
  static Identifier methodAndHost(Path prefix, boolean uriInDst) {
    return r -> {
      String version = r.version().startsWith("HTTP/") ? r.version().substring(5) : r.version();
      List<String> labels = new ArrayList<>(4);
      labels.add(version);
      labels.add(r.method());
      if (!"1.0".equals(version)) {
        Optional<String> host = r.headerValue("Host");
        if (host.isEmpty()) {
          return Optional.empty();
        }
        labels.add(host.get().toLowerCase(java.util.Locale.ROOT));
      }
      Path name = Path.utf8(labels.toArray(new String[0]));
      if (uriInDst) {
        name = name.concat(Path.utf8(segments(r.path()).toArray(new String[0])));
      }
      return Optional.of(named(prefix.concat(name)));
    };
  }

  /** The first {@code n} path segments; with {@code consume} they are removed from the forwarded path. */
  static Identifier pathSegments(Path prefix, int n, boolean consume) {
    return r -> {
      List<String> segs = segments(r.path());
      if (segs.size() < n) {
        return Optional.empty();
      }
      Path service = prefix.concat(Path.utf8(segs.subList(0, n).toArray(new String[0])));
      Optional<String> rewritten = Optional.empty();
      if (consume) {
        rewritten = Optional.of(afterSegments(r.path(), n));
      }
      return Optional.of(new Identification(service, rewritten));
    };
  }

  private static Identification named(Path service) {
    return new Identification(service, Optional.empty());
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int len = path.length();
    while (i < len) {
      int next = path.indexOf('/', i);
      if (next < 0) {
        next = len;
      }
      if (next > i) {
        out.add(path.substring(i, next));
      }
      i = next + 1;
    }
    return out;
  }

  /** The rest of {@code path} after its first {@code n} non-empty segments; at least {@code /}. */
  private static String afterSegments(String path, int n) {
    int seen = 0;
    int i = 0;
    while (i < path.length() && seen < n) {
      while (i < path.length() && path.charAt(i) == '/') {
        i++;
      }
      while (i < path.length() && path.charAt(i) != '/') {
        i++;
      }
      seen++;
    }
    String rest = path.substring(i);
    return rest.isEmpty() ? "/" : rest;
  }
}
