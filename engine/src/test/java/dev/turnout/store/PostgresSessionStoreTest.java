package dev.turnout.store;

import java.nio.file.Path;

/** Sessions shared by two stores on one real PostgreSQL database, as two control planes share it. */
class PostgresSessionStoreTest extends SessionStoreTest {
  @Override
  String newDatabase(Path dir) {
    return PostgresServer.shared().newDatabase();
  }
}
