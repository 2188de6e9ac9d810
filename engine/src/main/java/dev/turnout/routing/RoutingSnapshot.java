package dev.turnout.routing;

import dev.turnout.dtab.Dtab;
import java.util.List;
import java.util.Optional;

/**
 * The base routing state of a router at one moment: the dtab version in force, the parsed base dtab,
 * its text and the mirror rules read from that text. Immutable: a change publishes a new snapshot, and a
 * request reads exactly one snapshot from start to end, so it never mixes two versions.
 *
 * @param namespace the store namespace followed, empty for a dtab from the config file
 * @param version the store version (0 for a config dtab, or when the namespace does not exist)
 */
public record RoutingSnapshot(
    Optional<String> namespace, long version, Dtab dtab, String text, List<MirrorRule> mirrors) {

  public RoutingSnapshot {
    mirrors = List.copyOf(mirrors);
  }

  /** A snapshot of {@code text}, its mirror rules read from it. @throws IllegalArgumentException */
  public static RoutingSnapshot of(Optional<String> namespace, long version, String text) {
    return new RoutingSnapshot(namespace, version, Dtab.read(text), text, MirrorRule.parseAll(text));
  }

  /**
   * A store namespace's dtab followed by the router's own: each text is parsed on its own and the dtabs
   * concatenated, since newlines do not separate dentries and a store text need not end in {@code ;}.
   * @throws IllegalArgumentException
   */
  public static RoutingSnapshot of(
      Optional<String> namespace, long version, String storeText, String routerText) {
    if (routerText.isBlank()) {
      return of(namespace, version, storeText);
    }
    List<MirrorRule> mirrors = new java.util.ArrayList<>(MirrorRule.parseAll(storeText));
    mirrors.addAll(MirrorRule.parseAll(routerText));
    String shown = storeText.isEmpty() || storeText.endsWith("\n") ? storeText + routerText : storeText + "\n" + routerText;
    return new RoutingSnapshot(
        namespace, version, Dtab.read(storeText).concat(Dtab.read(routerText)), shown, mirrors);
  }
}
