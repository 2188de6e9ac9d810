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
    List<IdentifierConfig> identifiers = new ArrayList<>();
    if (n.isMissing()) {
      identifiers.add(new IdentifierConfig("io.l5d.header.token", "Host", dstPrefix, 0, false, false, null));
    } else if (n.node.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        read(context, n.at(i), dstPrefix).ifPresent(identifiers::add);
      }
    } else {
      read(context, n, dstPrefix).ifPresent(identifiers::add);
    }
    if (identifiers.isEmpty()) {
      throw new ConfigException(n.path + ": no identifier Turnout implements is configured");
    }
    return identifiers;
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
