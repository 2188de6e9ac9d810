package dev.turnout.routing;

import dev.turnout.config.InterpreterConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.store.DtabStore;
import java.time.Clock;
import java.util.Optional;
import dev.turnout.tls.ClientTls;
import java.util.function.Function;

/**
 * Where each router's base dtab comes from, chosen by its {@link InterpreterConfig}: a store
 * interpreter reads its namespace from this process's store ({@link StoreDtabSource}), a follower
 * watches its control planes ({@link NamerdHttpDtabSource}), and any other router routes by its own
 * {@code dtab:}, fixed. This is the one place the choice is made; a control plane, a proxy-only
 * process and the warm-up differ only in the store they have and in whether a follower may reach its
 * control planes:
 *
 * <pre>{@code
 * DtabSources.following(Optional.of(store), login, clock)   // a control plane
 * DtabSources.following(Optional.empty(), login, clock)     // turnout proxy: no store of its own
 * DtabSources.offline(Optional.of(scratch))                 // the warm-up: nothing leaves the host
 * }</pre>
 */
public final class DtabSources implements Function<RouterConfig, DtabSource> {
  private final Optional<DtabStore> store;
  private final Function<RouterConfig, DtabSource> followers;

  private DtabSources(Optional<DtabStore> store, Function<RouterConfig, DtabSource> followers) {
    this.store = store;
    this.followers = followers;
  }

  /**
   * Sources for a serving process: followers watch their control planes, sending {@code
   * authorization} when there is one.
   *
   * @param store this process's store, empty in a proxy-only process (which refuses store routers
   *     before it opens any source)
   */
  public static DtabSources following(Optional<DtabStore> store, Optional<String> authorization, Clock clock) {
    return following(store, authorization, clock, r -> Optional.empty());
  }

  /** As above, each follower over the TLS {@code tls} gives for its router (empty: plain HTTP). */
  public static DtabSources following(
      Optional<DtabStore> store,
      Optional<String> authorization,
      Clock clock,
      Function<RouterConfig, Optional<ClientTls>> tls) {
    return new DtabSources(
        store, r -> new NamerdHttpDtabSource(r.interpreter(), r.dtab(), authorization, clock, tls.apply(r)));
  }

  /**
   * Sources that never leave the host: a follower routes by its own dtab, as a serving one does until
   * its control plane first answers.
   */
  public static DtabSources offline(Optional<DtabStore> store) {
    return new DtabSources(store, r -> DtabSource.fixed(r.dtab()));
  }

  /**
   * A new source for {@code router}; the caller closes it.
   *
   * @throws IllegalStateException for a store interpreter when there is no store
   */
  @Override
  public DtabSource apply(RouterConfig router) {
    InterpreterConfig interpreter = router.interpreter();
    if (interpreter.usesStore()) {
      DtabStore s =
          store.orElseThrow(
              () -> new IllegalStateException(
                  "router " + router.label() + " reads namespace " + interpreter.namespace()
                      + " from the store, and this process has none"));
      return new StoreDtabSource(s, interpreter.namespace(), router.dtab());
    }
    if (interpreter.followsRemote()) {
      return followers.apply(router);
    }
    return DtabSource.fixed(router.dtab());
  }
}
