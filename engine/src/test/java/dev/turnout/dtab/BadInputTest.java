package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Huge, deep or odd input: the parser answers promptly with a dtab or a {@link DtabParseException}. */
class BadInputTest {
  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private static final int MIB = 1 << 20;

  @Test
  void aValidMebibyteLineParses() {
    String line = "/a=>" + "/b".repeat(MIB / 2);

    Dtab dtab = assertTimeoutPreemptively(PROMPTLY, () -> Dtab.read(line));

    assertThat(dtab.dentries().get(0).dst()).isInstanceOf(NameTree.Leaf.class);
  }

  @Test
  void aMebibyteOfAlternativesParses() {
    String line = "/a=>/b" + " | /c".repeat(MIB / 5);

    Dtab dtab = assertTimeoutPreemptively(PROMPTLY, () -> Dtab.read(line));

    assertThat(((NameTree.Alt<Path>) dtab.dentries().get(0).dst()).trees()).hasSize(MIB / 5 + 1);
  }

  @Test
  void aBadMebibyteLineGivesAShortMessageAtTheRightOffset() {
    String line = "/a=>/b" + " ".repeat(MIB) + "@";

    Throwable thrown = assertTimeoutPreemptively(PROMPTLY, () -> catchThrowable(() -> Dtab.read(line)));

    assertThat(thrown).isInstanceOf(DtabParseException.class);
    DtabParseException e = (DtabParseException) thrown;
    assertThat(e.offset()).isEqualTo(line.length() - 1);
    assertThat(e.getMessage()).startsWith("end of input expected but '@' found at '").hasSizeLessThan(400);
  }

  @Test
  void deeplyUnbalancedParenthesesAreRefusedNotOverflowed() {
    String deep = "/a=>" + "(".repeat(MIB);

    Throwable thrown = assertTimeoutPreemptively(PROMPTLY, () -> catchThrowable(() -> Dtab.read(deep)));

    assertThat(thrown).isInstanceOf(DtabParseException.class).hasMessageContaining("nested parentheses");
  }

  @Test
  void nestingUpToTheCapParses() {
    int n = DtabParser.MAX_NESTING;
    String deep = "/a=>" + "(".repeat(n) + "/b" + ")".repeat(n);

    assertThat(Dtab.read(deep).show()).isEqualTo("/a=>/b");
  }

  @Test
  void nestingBeyondTheCapIsAParseError() {
    int n = DtabParser.MAX_NESTING + 1;
    String deep = "/a=>" + "(".repeat(n) + "/b" + ")".repeat(n);

    assertThatThrownBy(() -> Dtab.read(deep)).isInstanceOf(DtabParseException.class);
  }

  @Test
  void aHugeWeightIsAParseError() {
    assertThatThrownBy(() -> Dtab.read("/a=>" + "9".repeat(400) + "*/b & /c"))
        .isInstanceOf(DtabParseException.class)
        .hasMessageStartingWith("weight expected");
  }

  @Test
  void anErrorSaysLineAndColumn() {
    DtabParseException e =
        (DtabParseException) catchThrowable(() -> Dtab.read("/a => /b;\n/c => /d;\n  /e -> /f"));

    assertThat(e.located()).startsWith("3:6: '=' expected but '-' found");
  }

  @Test
  void nonAsciiTextIsAParseErrorNotAnEncodingFailure() {
    assertThatThrownBy(() -> Dtab.read("/caf\u00e9 => /b\uD83D\uDE00"))
        .isInstanceOf(DtabParseException.class)
        .hasMessageStartingWith("'=' expected but '\u00e9' found");
  }
}
