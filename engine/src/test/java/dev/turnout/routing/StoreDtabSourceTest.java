package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.WrittenDtab;
import dev.turnout.store.DtabText;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.JdbcDtabStore;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StoreDtabSourceTest {
  private final JdbcDtabStore store = JdbcDtabStore.open("jdbc:h2:mem:store-dtab-source-" + System.nanoTime());

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aCommittedDtabReachesTheRouterAsParsedWhereItEntered() {
    WrittenDtab written = DtabText.read("# users\n/svc => /#/io.l5d.fs;\n");
    try (StoreDtabSource source = new StoreDtabSource(store, "default", "")) {

      DtabVersion v = store.create("default", written, "alice", "");

      assertThat(v.written()).isSameAs(written);
      assertThat(source.current().dtab()).isSameAs(written.dtab());
      assertThat(source.current().text()).isEqualTo("# users\n/svc => /#/io.l5d.fs;\n");
    }
  }

  @Test
  void theRoutersOwnDtabFollowsTheStoresOnANewLine() {
    try (StoreDtabSource source = new StoreDtabSource(store, "default", "/x => /y;")) {

      store.update("default", DtabText.read("/svc => /#/io.l5d.fs;"), Optional.empty(), "alice", "");

      assertThat(source.current().dtab()).isEqualTo(Dtab.read("/svc => /#/io.l5d.fs; /x => /y"));
      assertThat(source.current().text()).isEqualTo("/svc => /#/io.l5d.fs;\n/x => /y;");
    }
  }
}
