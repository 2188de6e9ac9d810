package dev.turnout.store;

import java.nio.file.Path;

/** The store's behaviour on a real PostgreSQL server, a new database for each test. */
class PostgresDtabStoreTest extends DtabStoreTest {
  @Override
  String newDatabase(Path dir) {
    return PostgresServer.shared().newDatabase();
  }
}
