package dev.turnout.web.editor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RebaseTest {

  @Test
  void myChangedDentryLandsOnTheirText() {
    String base = "/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users;\n";
    String mine = "/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2;\n";
    String theirs = "# theirs\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users;\n/svc/web => /#/io.l5d.fs/web;\n";

    String out = Rebase.onto(base, mine, theirs);

    assertThat(out)
        .isEqualTo(
            "# theirs\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2;\n"
                + "/svc/web => /#/io.l5d.fs/web;\n");
  }

  @Test
  void myAddedAndRemovedDentriesAreReplayed() {
    String base = "/a => /b;\n/c => /d;\n";
    String mine = "/a => /b;\n/e => /f;\n";
    String theirs = "/a => /x;\n/c => /d;\n";

    assertThat(Rebase.onto(base, mine, theirs)).isEqualTo("/a => /x;\n/e => /f;\n");
  }
}
