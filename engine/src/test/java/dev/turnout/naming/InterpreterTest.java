package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InterpreterTest {
  private static Namer knows(String mount, String... names) {
    Path prefix = Path.read(mount);
    return p -> {
      if (p.isEmpty() || !Set.of(names).contains(p.label(0))) {
        return NameTree.neg();
      }
      Var<Addr> addr = new Var<>(new Addr.Bound(List.of()));
      return NameTree.leaf(new Name.Resolved(new BoundName(prefix.concat(p.take(1)), p.drop(1), addr)));
    };
  }

  @Test
  void aNamerThatAnswersNegPassesTheNameToTheNextMatchingNamer() {
    Interpreter interpreter =
        new Interpreter(
            List.of(
                new Interpreter.Mount(Path.read("/#/a"), knows("/#/a/first", "x")),
                new Interpreter.Mount(Path.read("/#/a"), knows("/#/a/second", "y"))));

    assertThat(interpreter.bind(Dtab.EMPTY, Path.read("/#/a/y")).show()).isEqualTo("/#/a/second/y");
  }

  @Test
  void theDtabIsAskedBeforeTheNamersEvenForConcreteNames() {
    Interpreter interpreter =
        new Interpreter(List.of(new Interpreter.Mount(Path.read("/#/d"), knows("/#/d", "x", "y"))));

    assertThat(interpreter.bind(Dtab.read("/#/d/x => /#/d/y"), Path.read("/#/d/x")).show()).isEqualTo("/#/d/y");
  }

  @Test
  void anUnknownSystemNamerIsAnErrorNamingIt() {
    Interpreter interpreter = new Interpreter(List.of());

    assertThatThrownBy(() -> interpreter.bind(Dtab.EMPTY, Path.read("/$/com.example.Nope/x")))
        .isInstanceOf(BindingException.class)
        .hasMessage("Unknown namer: com.example.Nope for path: /$/com.example.Nope/x");
  }

  @Test
  void healthAwareBindingPassesOverAnUnusableAlternative() {
    Interpreter interpreter =
        new Interpreter(List.of(new Interpreter.Mount(Path.read("/#/d"), knows("/#/d", "a", "b"))));
    Dtab dtab = Dtab.read("/svc => /#/d/a | /#/d/b");

    NameTree<BoundName> t = interpreter.bind(dtab, Path.read("/svc"), b -> !b.id().equals(Path.read("/#/d/a")));

    assertThat(t.show()).isEqualTo("/#/d/b");
  }

  @Test
  void healthAwareBindingKeepsTheFirstAlternativeWhenNoneIsUsable() {
    Interpreter interpreter =
        new Interpreter(List.of(new Interpreter.Mount(Path.read("/#/d"), knows("/#/d", "a", "b"))));

    NameTree<BoundName> t = interpreter.bind(Dtab.read("/svc => /#/d/a | /#/d/b"), Path.read("/svc"), b -> false);

    assertThat(t.show()).isEqualTo("/#/d/a");
  }

  @Test
  void resolveMergesTheEndpointsOfAUnion() {
    Interpreter interpreter = new Interpreter(List.of());

    Addr addr = interpreter.resolve(Dtab.read("/s => /$/inet/10.0.0.1/80 & /$/inet/10.0.0.2/81"), Path.read("/s"));

    assertThat(addr).isEqualTo(new Addr.Bound(List.of(new Address("10.0.0.1", 80), new Address("10.0.0.2", 81))));
  }

  @Test
  void resolveOfALoopIsAFailedAddrNotAnException() {
    Addr addr = new Interpreter(List.of()).resolve(Dtab.read("/s => /s/x"), Path.read("/s"));

    assertThat(addr).isEqualTo(new Addr.Failed("Max recursion level: 100 reached in Namer lookup"));
  }
}
