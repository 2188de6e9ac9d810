package dev.turnout.store;

import dev.turnout.dtab.WrittenDtab;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Versioned dtabs by namespace. Every write is one transaction: it either commits a new version (and
 * only then tells subscribers) or throws a {@link StoreException} and leaves nothing behind. Versions
 * are append-only: nothing is ever altered or removed, and a deletion is itself recorded.
 *
 * <p>{@code ifMatch} is an ETag the caller read earlier; when present the write succeeds only if it is
 * still the namespace's current ETag ({@link StoreException.Conflict} otherwise), so of several writers
 * racing with the same ETag exactly one wins.
 */
public interface DtabStore extends AutoCloseable {

  /** Names of the namespaces that exist now, sorted. */
  List<String> namespaces();

  /** The current version, or empty when the namespace does not exist (never created, or deleted). */
  Optional<DtabVersion> current(String namespace);

  /** Every version of the namespace, newest first, deletions included; empty if it never existed. */
  List<DtabVersion> versions(String namespace);

  Optional<DtabVersion> version(String namespace, long version);

  /**
   * Creates a namespace with {@code dtab}, parsed where its text entered ({@link DtabText#read} applies
   * the store's rules as it parses). @throws StoreException.AlreadyExists if it exists
   */
  DtabVersion create(String namespace, WrittenDtab dtab, String author, String comment);

  /**
   * Commits a new version; without {@code ifMatch} it creates the namespace when absent (namerd's
   * upsert). @throws StoreException.NotFound when {@code ifMatch} is given and the namespace is absent
   */
  DtabVersion update(
      String namespace, WrittenDtab dtab, Optional<String> ifMatch, String author, String comment);

  /** Deletes a namespace, recording who and why. @throws StoreException.NotFound if absent */
  DtabVersion delete(String namespace, Optional<String> ifMatch, String author, String comment);

  /** Commits a new version whose text equals that of {@code version}. */
  DtabVersion rollback(
      String namespace, long version, Optional<String> ifMatch, String author, String comment);

  /** Hears every committed change, after commit, in commit order; closing stops it. */
  AutoCloseable subscribe(Consumer<StoreEvent> listener);

  @Override
  void close();
}
