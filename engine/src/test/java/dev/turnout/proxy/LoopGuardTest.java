package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a Via value is read for this server's own entry: whole entries, spaces around them aside. */
class LoopGuardTest {
  private static final String MINE = "1.1 turnout-3fa2c";

  @Test
  void anEntryIsFoundAnywhereInTheListWhateverTheSpacesAroundIt() {
    assertThat(LoopGuard.listsEntry(MINE, MINE)).isTrue();
    assertThat(LoopGuard.listsEntry("1.1 linkerd, " + MINE, MINE)).isTrue();
    assertThat(LoopGuard.listsEntry(" \t" + MINE + " ,1.0 fred", MINE)).isTrue();
    assertThat(LoopGuard.listsEntry("1.1 a,," + MINE + ",", MINE)).isTrue();
  }

  @Test
  void anEntryThatOnlyContainsOrStartsLikeOursIsNotOurs() {
    assertThat(LoopGuard.listsEntry("1.1 turnout-3fa2c0", MINE)).isFalse();
    assertThat(LoopGuard.listsEntry("x" + MINE, MINE)).isFalse();
    assertThat(LoopGuard.listsEntry("1.1 linkerd, 1.1 turnout-3fa2", MINE)).isFalse();
    assertThat(LoopGuard.listsEntry("", MINE)).isFalse();
    assertThat(LoopGuard.listsEntry(" , ", MINE)).isFalse();
  }
}
