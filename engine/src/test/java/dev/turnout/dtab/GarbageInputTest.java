package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the text, parsing it gives a dtab or a {@link DtabParseException}, nothing else. */
class GarbageInputTest {
  @Property(tries = 2000)
  void garbageIsADtabOrAParseError(@ForAll("garbage") String text) {
    Throwable thrown = catchThrowable(() -> Dtab.read(text));

    assertThat(thrown).satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(DtabParseException.class));
  }

  @Property(tries = 1000)
  void dtabLikeGarbageIsADtabOrAParseError(@ForAll("dtabish") String text) {
    Throwable thrown = catchThrowable(() -> Dtab.read(text));

    assertThat(thrown).satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(DtabParseException.class));
  }

  @Provide
  Arbitrary<String> garbage() {
    return Arbitraries.strings().all().ofMaxLength(200);
  }

  @Provide
  Arbitrary<String> dtabish() {
    return Arbitraries.strings().withChars("/=>|&*()!~$;#\\x0a.9 \n\t").ofMaxLength(60);
  }

}
