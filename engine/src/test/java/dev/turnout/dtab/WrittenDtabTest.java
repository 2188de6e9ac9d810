package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrittenDtabTest {

  @Test
  void keepsTheTextAsWrittenBesideWhatItParsesTo() {
    WrittenDtab w = WrittenDtab.read("# routes\n/svc  =>  /#/io.l5d.fs ;\n");

    assertThat(w.text()).isEqualTo("# routes\n/svc  =>  /#/io.l5d.fs ;\n");
    assertThat(w.dtab()).isEqualTo(Dtab.read("/svc=>/#/io.l5d.fs"));
  }

  @Test
  void aMalformedTextIsRefusedWithTheParsersMessage() {
    assertThatThrownBy(() -> WrittenDtab.read("/a => (/b"))
        .isInstanceOf(DtabParseException.class)
        .hasMessageStartingWith("')' expected but end of input found");
  }

  @Test
  void twoAreEqualWhenTheirTextsAre() {
    assertThat(WrittenDtab.read("/a=>/b;")).isEqualTo(WrittenDtab.read("/a=>/b;"));
    assertThat(WrittenDtab.read("/a=>/b;")).isNotEqualTo(WrittenDtab.read("/a => /b;"));
  }
}
