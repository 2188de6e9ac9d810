package dev.turnout.store;

import java.nio.file.Path;

/** The store's behaviour on the embedded H2 file, the one-machine default. */
class H2DtabStoreTest extends DtabStoreTest {
  @Override
  String newDatabase(Path dir) {
    return JdbcDtabStore.fileUrl(dir);
  }
}
