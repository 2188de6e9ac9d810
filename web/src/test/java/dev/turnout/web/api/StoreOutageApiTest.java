package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.PostgresServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API while its PostgreSQL server is stopped and after it is started again: dtab reads answer from
 * the last versions seen, writes are 503 with {@code Retry-After} and write nothing, and the same
 * process takes writes again once the database answers.
 */
class StoreOutageApiTest {
  private PostgresServer postgres;
  private ApiServer api;

  @BeforeEach
  void start() {
    postgres = PostgresServer.start();
    api = new ApiServer(JdbcDtabStore.builder(postgres.newDatabase())
        .user(PostgresServer.USER).password(PostgresServer.PASSWORD).passwordIterations(2).open());
  }

  @AfterEach
  void stop() {
    api.close();
    postgres.close();
  }

  @Test
  void readsAnswerWritesAre503AndWritesWorkAgainWhenTheDatabaseReturns() throws Exception {
    assertThat(api.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /one;").statusCode())
        .isEqualTo(204);

    postgres.stopServer();

    HttpResponse<String> read = api.send(api.request("/api/1/dtabs/default").header("Accept", "application/dtab").GET());
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("/svc => /one;");
    HttpResponse<String> write = api.write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /two;");
    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.headers().firstValue("Retry-After")).isPresent();
    assertThat(write.body()).contains("not answering");

    postgres.startServer();

    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int status;
    while ((status = api.write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /two;").statusCode()) != 204
        && System.nanoTime() - end < 0) {
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    assertThat(status).isEqualTo(204);
    assertThat(api.get("/api/1/dtabs/default/versions").body()).contains("/svc => /two;").contains("/svc => /one;");
  }
}
