package dev.turnout.routing;

import dev.turnout.dtab.WrittenDtab;
import dev.turnout.store.DtabStore;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.StoreEvent;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A router's base dtab taken live from a store namespace: the namespace's current dtab followed by the
 * router's own {@code dtab:} text. Each committed change swaps in a new {@link RoutingSnapshot} on the
 * committing thread, so the next request routes by it. A deleted or absent namespace leaves only the
 * router's own dtab (version 0).
 */
public final class StoreDtabSource implements DtabSource {
  private static final Logger log = LoggerFactory.getLogger(StoreDtabSource.class);

  private final String namespace;
  /** The router's own {@code dtab:}, parsed once here rather than on every store change. */
  private final WrittenDtab routerOwnDtab;
  private final AtomicReference<RoutingSnapshot> current = new AtomicReference<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AutoCloseable subscription;

  public StoreDtabSource(DtabStore store, String namespace, String routerOwnDtab) {
    this.namespace = namespace;
    this.routerOwnDtab = routerOwnDtab == null ? WrittenDtab.EMPTY : WrittenDtab.read(routerOwnDtab);
    this.subscription = store.subscribe(this::heard);
    current.set(snapshotOf(store.current(namespace)));
  }

  @Override
  public RoutingSnapshot current() {
    return current.get();
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      log.debug("closing the store subscription failed", e);
    }
  }

  private void heard(StoreEvent event) {
    if (!event.namespace().equals(namespace)) {
      return;
    }
    DtabVersion v = event.version();
    RoutingSnapshot next = snapshotOf(v.deleted() ? Optional.empty() : Optional.of(v));
    // Events arrive in commit order, but never let an older version replace a newer one.
    RoutingSnapshot prev = current.getAndUpdate(p -> p.version() > next.version() && !v.deleted() ? p : next);
    if (prev != current.get()) {
      for (Runnable l : listeners) {
        l.run();
      }
    }
  }

  /** The version's dtab, as the store parsed it when it was written, then the router's own. */
  private RoutingSnapshot snapshotOf(Optional<DtabVersion> version) {
    WrittenDtab stored = version.map(DtabVersion::written).orElse(WrittenDtab.EMPTY);
    try {
      return RoutingSnapshot.of(
          Optional.of(namespace), version.map(DtabVersion::version).orElse(0L), stored, routerOwnDtab);
    } catch (IllegalArgumentException e) {
      // The store validates the dtab before commit, not its mirror rules: a text whose rules do not
      // parse here keeps the last good routes.
      log.warn("namespace {} version {} does not parse, keeping the previous routes: {}",
          namespace, version.map(DtabVersion::version).orElse(0L), e.getMessage());
      RoutingSnapshot prev = current.get();
      return prev != null ? prev : RoutingSnapshot.of(Optional.of(namespace), 0, routerOwnDtab);
    }
  }
}
