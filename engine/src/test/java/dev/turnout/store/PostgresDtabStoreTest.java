package dev.turnout.store;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store's behaviour on a real PostgreSQL server, a new database for each test. */
class PostgresDtabStoreTest extends DtabStoreTest {
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
