package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.testing.TestCerts;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane reaches PostgreSQL over TLS with {@code sslmode=verify-full}: the JDBC URL's
 * parameters go to the driver as written, which checks the server's certificate against {@code
 * sslrootcert} and the host it dialled.
 */
class PostgresTlsTest {
  static final TestCerts.Issued CA = TestCerts.ca("database CA");
  static PostgresServer server;

  @TempDir static Path dir;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.startWithTls(TestCerts.leaf(CA, "127.0.0.1"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  JdbcDtabStore open(String url) {
    return JdbcDtabStore.builder(url).user(PostgresServer.USER).password(PostgresServer.PASSWORD).passwordIterations(1).open();
  }

  @Test
  void verifyFullConnectsToAServerWhoseCertificateChainsToTheRootGiven() {
    Path root = CA.writeCert(dir.resolve("root.pem"));
    String url = server.newDatabase() + "?sslmode=verify-full&sslrootcert=" + root;

    try (JdbcDtabStore store = open(url)) {
      store.create("default", "/svc => /$/inet/127.0.0.1/1;", "alice", "over TLS");

      assertThat(store.current("default")).isPresent();
    }
  }

  @Test
  void verifyFullRefusesAServerItCannotVerify() {
    Path stranger = TestCerts.ca("stranger").writeCert(dir.resolve("stranger.pem"));
    String url = server.newDatabase() + "?sslmode=verify-full&sslrootcert=" + stranger;

    assertThatThrownBy(() -> open(url)).isInstanceOf(StoreException.class).hasMessageContaining("cannot open the store");
  }
}
