package dev.turnout.routing;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.WrittenDtab;
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
    return of(namespace, version, WrittenDtab.read(text));
  }

  /** A snapshot of a dtab parsed where it entered, its mirror rules read from its text. */
  public static RoutingSnapshot of(Optional<String> namespace, long version, WrittenDtab dtab) {
    return new RoutingSnapshot(
        namespace, version, dtab.dtab(), dtab.text(), MirrorRule.parseAll(dtab.text()));
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
    return new RoutingSnapshot(
        namespace,
        version,
        Dtab.read(storeText).concat(Dtab.read(routerText)),
        joined(storeText, routerText),
        mirrors);
  }

  /**
   * As {@link #of(Optional, long, String, String)}, for dtabs already parsed: the store's as committed
   * (a {@link dev.turnout.store.StoreEvent} carries it) and the router's own, parsed once at start.
   *
   * @throws IllegalArgumentException when a text's mirror rules are malformed
   */
  public static RoutingSnapshot of(
      Optional<String> namespace, long version, WrittenDtab store, WrittenDtab router) {
    if (router.text().isBlank()) {
      return of(namespace, version, store);
    }
    List<MirrorRule> mirrors = new java.util.ArrayList<>(MirrorRule.parseAll(store.text()));
    mirrors.addAll(MirrorRule.parseAll(router.text()));
    return new RoutingSnapshot(
        namespace, version, store.dtab().concat(router.dtab()), joined(store.text(), router.text()), mirrors);
  }

  /** The two texts one after the other, on a new line unless the first is empty or ends one. */
  private static String joined(String storeText, String routerText) {
    return storeText.isEmpty() || storeText.endsWith("\n") ? storeText + routerText : storeText + "\n" + routerText;
  }
}
