package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory written by an older Turnout opens and is upgraded, keeping its history. */
class SchemaMigrationTest {
  @TempDir Path dir;

  @Test
  void dataDirAtSchemaOneOpensWithItsHistoryAndGainsUsers() throws Exception {
    String url = JdbcDtabStore.fileUrl(dir);
    Flyway.configure()
        .dataSource(url, "sa", "")
        .locations("classpath:db/migration")
        .target("1")
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement st = c.createStatement()) {
      st.executeUpdate("INSERT INTO namespace VALUES ('default', 1, FALSE)");
      st.executeUpdate(
          "INSERT INTO dtab_version VALUES ('default', 1, '/svc => /old;', '/svc=>/old', 'ops', 'v1 era',"
              + " TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00Z', FALSE)");
    }

    try (JdbcDtabStore store = JdbcDtabStore.builder(url).passwordIterations(1).open()) {
      DtabVersion v1 = store.current("default").orElseThrow();
      store.userStore().put("ops", Role.OPERATOR, "pw".toCharArray());
      DtabVersion v2 = store.update("default", "/svc=>/new", Optional.of(v1.etag()), "ops", "");

      assertThat(v1.text()).isEqualTo("/svc => /old;");
      assertThat(v1.comment()).isEqualTo("v1 era");
      assertThat(v2.version()).isEqualTo(2);
      assertThat(store.userStore().authenticate("ops", "pw")).isPresent();
    }
  }

  /**
   * Versions 1 and 2 were first written with H2-only column types; a data directory made by those
   * files (kept as they were in test resources) has other checksums recorded, and must still open.
   */
  @Test
  void dataDirMadeBeforeThePortableSchemaOpensWithItsHistoryAndUsers() throws Exception {
    String url = JdbcDtabStore.fileUrl(dir);
    Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/h2-era").load().migrate();
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement st = c.createStatement()) {
      st.executeUpdate("INSERT INTO namespace VALUES ('default', 1, FALSE)");
      st.executeUpdate(
          "INSERT INTO dtab_version VALUES ('default', 1, '/svc => /old;', '/svc=>/old', 'ops', 'h2 era',"
              + " TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00Z', FALSE)");
    }

    try (JdbcDtabStore store = JdbcDtabStore.builder(url).passwordIterations(1).open()) {
      store.userStore().put("ops", Role.OPERATOR, "pw".toCharArray());
      DtabVersion v2 =
          store.update("default", "/svc=>/new", Optional.of(store.current("default").orElseThrow().etag()), "ops", "");

      assertThat(store.versions("default")).extracting(DtabVersion::comment).containsExactly("", "h2 era");
      assertThat(v2.version()).isEqualTo(2);
      assertThat(store.userStore().authenticate("ops", "pw")).isPresent();
    }
    try (JdbcDtabStore reopened = JdbcDtabStore.builder(url).passwordIterations(1).open()) {
      assertThat(reopened.current("default").orElseThrow().version()).isEqualTo(2);
    }
  }

  @Test
  void aDatabaseTheStoreDoesNotRunOnIsRefusedByName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JdbcDtabStore.open("jdbc:mysql://db/turnout"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("H2 (jdbc:h2:...) or PostgreSQL");
  }
}
