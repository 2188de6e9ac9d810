package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VarTest {
  @Test
  void aMappedVarFollowsItsSource() {
    Var<Integer> source = new Var<>(1);
    Var<String> view = source.map(i -> "n=" + i);

    source.set(2);

    assertThat(view.get()).isEqualTo("n=2");
  }

  @Test
  void observersOfAMappedVarHearMappedValues() throws Exception {
    Var<Integer> source = new Var<>(1);
    List<String> heard = new ArrayList<>();
    AutoCloseable sub = source.map(i -> "n=" + i).observe(heard::add);

    source.set(2);
    sub.close();
    source.set(3);

    assertThat(heard).containsExactly("n=2");
  }

  @Test
  void aMappedVarCannotBeSet() {
    assertThatThrownBy(() -> new Var<>(1).map(i -> i + 1).set(5)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void observersHearOnlyRealChanges() {
    Var<String> v = new Var<>("a");
    List<String> heard = new ArrayList<>();
    v.observe(heard::add);

    v.set("a");
    v.set("b");

    assertThat(heard).containsExactly("b");
  }
}
