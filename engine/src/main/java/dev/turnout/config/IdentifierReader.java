package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A router's {@code identifier:}, one mapping or a list of them tried in order (Linkerd's
 * identifier chain). Without one, a router names requests by their Host header ({@code
 * io.l5d.header.token}), as Linkerd's http routers do. Each identifier's {@code prefix} is the router's
 * {@code dstPrefix} unless given. A kind Turnout does not implement is left out with a warning, but a
 * router left with none at all cannot name any request, so that is an error.
 */
final class IdentifierReader {
  private IdentifierReader() {}

  /** @param n the router's {@code identifier} node */
  static List<IdentifierConfig> readAll(ConfigContext context, YamlNode n, Path dstPrefix) {
    return readAll(context, n, dstPrefix, false);
  }

  /**
   * @param h2 the router is an h2 one: its default is {@code io.l5d.header.token} on {@code :authority},
   *     and its kinds are Linkerd's h2 identifiers ({@code io.l5d.header.token}, {@code
   *     io.l5d.header.path} on {@code :path} with optional {@code segments}, {@code io.l5d.header}) and
   *     {@code io.l5d.static}
   */
  static List<IdentifierConfig> readAll(ConfigContext context, YamlNode n, Path dstPrefix, boolean h2) {
    List<IdentifierConfig> identifiers = new ArrayList<>();
    if (n.isMissing()) {
      identifiers.add(
          new IdentifierConfig("io.l5d.header.token", h2 ? ":authority" : "Host", dstPrefix, 0, false, false, null));
    } else if (n.node.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        (h2 ? readH2(context, n.at(i), dstPrefix) : read(context, n.at(i), dstPrefix)).ifPresent(identifiers::add);
      }
    } else {
      (h2 ? readH2(context, n, dstPrefix) : read(context, n, dstPrefix)).ifPresent(identifiers::add);
    }
    if (identifiers.isEmpty()) {
      throw new ConfigException(n.path + ": no identifier Turnout implements is configured");
    }
    return identifiers;
  }

  private static Optional<IdentifierConfig> readH2(ConfigContext context, YamlNode n, Path dstPrefix) {
    String kind = n.requiredText("kind");
    Path prefix = n.path("prefix", dstPrefix);
    switch (kind) {
      case "io.l5d.header.token":
        n.only("kind", "header", "prefix");
        return Optional.of(new IdentifierConfig(kind, n.text("header", ":authority"), prefix, 0, false, false, null));
      case "io.l5d.header.path":
        // HeaderPathIdentifierConfig: header defaults to :path (lower-cased), segments to the whole path.
        n.only("kind", "header", "prefix", "segments");
        return Optional.of(new IdentifierConfig(
            kind, n.text("header", ":path").toLowerCase(java.util.Locale.ROOT), prefix,
            n.has("segments") ? n.positiveInt("segments", 1) : 0, false, false, null));
      case "io.l5d.header":
        n.only("kind", "header", "prefix");
        return Optional.of(new IdentifierConfig(kind, n.text("header", "l5d-name"), prefix, 0, false, false, null));
      case "io.l5d.static":
        n.only("kind", "prefix", "path");
        return Optional.of(new IdentifierConfig(kind, null, prefix, 0, false, false, n.requiredPath("path")));
      default:
        context.warn(n.path + ".kind", "identifier kind " + kind + " is not implemented by Turnout for h2 routers");
        return Optional.empty();
    }
  }

  private static Optional<IdentifierConfig> read(ConfigContext context, YamlNode n, Path dstPrefix) {
    String kind = n.requiredText("kind");
    n.only("kind", "header", "prefix", "segments", "consume", "httpUriInDst", "path");
    Path prefix = n.path("prefix", dstPrefix);
    switch (kind) {
      case "io.l5d.header.token":
        return Optional.of(new IdentifierConfig(kind, n.text("header", "Host"), prefix, 0, false, false, null));
      case "io.l5d.header":
        return Optional.of(new IdentifierConfig(kind, n.text("header", "l5d-name"), prefix, 0, false, false, null));
      case "io.l5d.methodAndHost":
        return Optional.of(
            new IdentifierConfig(kind, null, prefix, 0, false, n.bool("httpUriInDst", false), null));
      case "io.l5d.path":
        return Optional.of(
            new IdentifierConfig(kind, null, prefix, n.positiveInt("segments", 1), n.bool("consume", false), false, null));
      case "io.l5d.static":
        return Optional.of(new IdentifierConfig(kind, null, prefix, 0, false, false, n.requiredPath("path")));
      default:
        context.warn(n.path + ".kind", "identifier kind " + kind + " is not implemented by Turnout");
        return Optional.empty();
    }
  }
}
