package dev.turnout.store;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Sessions shared by two stores on one real PostgreSQL database, as two control planes share it. */
class PostgresSessionStoreTest extends SessionStoreTest {
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @Override
  String newDatabase(Path dir) {
    return postgres.newDatabase();
  }
}
