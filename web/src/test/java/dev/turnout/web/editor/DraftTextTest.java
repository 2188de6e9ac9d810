package dev.turnout.web.editor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.NameTree;
import org.junit.jupiter.api.Test;

class DraftTextTest {

  @Test
  void findsEachDentrysDestinationPastCommentsAndHashLabels() {
    String text = "# users go to v1\n/svc => /#/io.l5d.fs; # fallback\n/svc/users => /#/io.l5d.fs/users;\n";

    var spans = DraftText.spans(text);

    assertThat(spans).hasSize(2);
    assertThat(text.substring(spans.get(0).dstStart(), spans.get(0).dstEnd())).isEqualTo("/#/io.l5d.fs");
    assertThat(text.substring(spans.get(1).dstStart(), spans.get(1).dstEnd()))
        .isEqualTo("/#/io.l5d.fs/users");
  }

  @Test
  void replacingADestinationKeepsCommentsAndLayout() {
    String text = "#@mirror /svc/users => /#/io.l5d.fs/shadow 10%\n/svc/users => /#/io.l5d.fs/users; # v1\n";

    String out = DraftText.replaceDestination(text, 0, NameTree.read("/#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2"));

    assertThat(out)
        .isEqualTo(
            "#@mirror /svc/users => /#/io.l5d.fs/shadow 10%\n"
                + "/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2; # v1\n");
  }

  @Test
  void aDentryWithoutTrailingSemicolonIsFound() {
    String text = "/a => /b;\n/c => /d | /e";

    String out = DraftText.replaceDestination(text, 1, NameTree.read("/f"));

    assertThat(out).isEqualTo("/a => /b;\n/c => /f");
  }

  @Test
  void refusesAnInvalidDtab() {
    assertThatThrownBy(() -> DraftText.replaceDestination("/a => ", 0, NameTree.read("/f")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
