package dev.turnout.store;

import java.nio.file.Path;

/** Sessions shared by two stores on one H2 file. */
class H2SessionStoreTest extends SessionStoreTest {
  @Override
  String newDatabase(Path dir) {
    return JdbcDtabStore.fileUrl(dir);
  }
}
