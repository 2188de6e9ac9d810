package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;

/** Whatever the text, parsing it gives a dtab or a {@link DtabParseException}, nothing else. */
class GarbageInputTest {

  @Test
  void garbageIsADtabOrAParseError() {
    Generated.forEachSeed(2000, g -> assertParsesOrRefuses(g.text(null, 200)));
  }

  @Test
  void dtabLikeGarbageIsADtabOrAParseError() {
    Generated.forEachSeed(2000, g -> assertParsesOrRefuses(g.text("/=>|&*()!~$;#\\x0a.9 \n\t", 60)));
  }

  private static void assertParsesOrRefuses(String text) {
    Throwable thrown = catchThrowable(() -> Dtab.read(text));

    assertThat(thrown)
        .as("parsing %s", text)
        .satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(DtabParseException.class));
  }
}
