package dev.turnout.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.testing.PerTest;
import dev.turnout.store.StoreException;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The size bounds: a dtab's dentry count, and what its editor page costs at that bound. */
class LargeDtabTest {
  @RegisterExtension final PerTest<DashboardFixture> dash = PerTest.of(DashboardFixture::new);

  private static String dentries(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("/svc/s").append(i).append(" => /#/io.l5d.fs/b").append(i).append(";\n");
    }
    return b.toString();
  }

  @Test
  void aDtabOverTheDentryLimitIsRefusedWithTheFigures() {
    String tooMany = dentries(2_001);

    assertThatThrownBy(() -> dash.get().store.update("default", tooMany, Optional.empty(), "admin", "huge"))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("2001 dentries; the limit is 2000");
  }

  @Test
  void theEditorPageOfTheLargestDtabAllowedStaysSmall() {
    dash.get().store.update("default", dentries(2_000), Optional.empty(), "admin", "as large as allowed");

    HttpResponse<String> page = dash.get().browser().signIn("admin").get("/dtabs/default");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("1800 more dentries are not shown here");
    // the text itself (70 KB here) and 200 rows of controls
    assertThat(page.body().length()).isLessThan(500_000);
  }
}
