package dev.turnout.web.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DentryDiffTest {

  @Test
  void showsChangedDentriesAndDarkTrafficButNotComments() {
    String before = "# old\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users;\n";
    String after = "#@mirror /svc/users => /#/io.l5d.fs/shadow 10%\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/v2;\n";

    assertThat(DentryDiff.between(before, after))
        .containsExactly(
            new DentryDiff.Line("changed", "/svc/users", "/#/io.l5d.fs/users", "/#/io.l5d.fs/v2"),
            new DentryDiff.Line("added", "dark traffic", "", "#@mirror /svc/users => /#/io.l5d.fs/shadow 10%"));
  }
}
