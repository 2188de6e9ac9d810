package dev.turnout.proxy;

import dev.turnout.dtab.Dtab;
import dev.turnout.store.DtabStore;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.StoreEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A minimal in-memory {@link DtabStore} for the live-reload test, to be replaced by the H2 store once
 * it is on main: versions count from 1 per namespace and listeners hear each update after it is stored.
 */
final class MemoryDtabStore implements DtabStore {
  private final Map<String, List<DtabVersion>> versions = new ConcurrentHashMap<>();
  private final List<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();

  @Override
  public List<String> namespaces() {
    return versions.keySet().stream().sorted().toList();
  }

  @Override
  public Optional<DtabVersion> current(String namespace) {
    List<DtabVersion> vs = versions.get(namespace);
    return vs == null || vs.isEmpty() ? Optional.empty() : Optional.of(vs.get(vs.size() - 1));
  }

  @Override
  public List<DtabVersion> versions(String namespace) {
    return List.copyOf(versions.getOrDefault(namespace, List.of()));
  }

  @Override
  public Optional<DtabVersion> version(String namespace, long version) {
    return versions(namespace).stream().filter(v -> v.version() == version).findFirst();
  }

  @Override
  public DtabVersion create(String namespace, String dtabText, String author, String comment) {
    return update(namespace, dtabText, Optional.empty(), author, comment);
  }

  @Override
  public synchronized DtabVersion update(
      String namespace, String dtabText, Optional<String> ifMatch, String author, String comment) {
    List<DtabVersion> vs = versions.computeIfAbsent(namespace, n -> new ArrayList<>());
    long next = vs.size() + 1;
    DtabVersion v =
        new DtabVersion(namespace, next, "v" + next, dtabText, Dtab.read(dtabText), author, comment, Instant.now(), false);
    vs.add(v);
    for (Consumer<StoreEvent> l : listeners) {
      l.accept(new StoreEvent(namespace, v, next == 1 ? StoreEvent.Kind.CREATED : StoreEvent.Kind.UPDATED));
    }
    return v;
  }

  @Override
  public DtabVersion delete(String namespace, Optional<String> ifMatch, String author, String comment) {
    throw new UnsupportedOperationException("not needed by the proxy tests");
  }

  @Override
  public DtabVersion rollback(
      String namespace, long version, Optional<String> ifMatch, String author, String comment) {
    return update(namespace, version(namespace, version).orElseThrow().text(), ifMatch, author, comment);
  }

  @Override
  public AutoCloseable subscribe(Consumer<StoreEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {}
}
