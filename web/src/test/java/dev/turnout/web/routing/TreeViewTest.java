package dev.turnout.web.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import org.junit.jupiter.api.Test;

class TreeViewTest {
  private final PreviewService preview = NamesBoundToThemselves.preview();

  private TreeView tree(String dtab, String path) {
    return TreeView.of(preview.delegate("default", Dtab.read(dtab), Path.read(path)));
  }

  @Test
  void theTreeMarksThePrimaryBranchAndItsDentry() {
    TreeView tree =
        tree("/svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2;", "/svc/users");

    assertThat(tree.label()).isEqualTo("Several Possible Resolution Paths");
    assertThat(tree.outcome()).isEqualTo("success");
    assertThat(tree.children().get(0).primary()).isTrue();
    assertThat(tree.children().get(1).primary()).isFalse();
    assertThat(tree.children().get(0).dentry()).isEqualTo("/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2");
  }

  @Test
  void unionBranchesShowTheirWeightsAndABoundLeafItsId() {
    TreeView tree = tree("/svc => 0.25*/#/a & 0.75*/#/b;", "/svc");

    assertThat(tree.label()).isEqualTo("Several Simultaneous Resolution Paths");
    assertThat(tree.children()).extracting(TreeView::weight).containsExactly("0.25", "0.75");
    assertThat(tree.children().get(0).label()).isEqualTo("Bound Path");
    assertThat(tree.children().get(0).bound()).isEqualTo("[/#/a]");
  }

  @Test
  void anExplicitNegShowsTildeAndIsNotPrimary() {
    TreeView tree = tree("/svc => ~ | /#/b;", "/svc");

    assertThat(tree.children().get(0).path()).isEqualTo("~");
    assertThat(tree.children().get(0).outcome()).isEqualTo("neg");
    assertThat(tree.children().get(0).primary()).isFalse();
    assertThat(tree.children().get(1).primary()).isTrue();
  }

  @Test
  void anUnknownSystemNamerIsAnExceptionThatFails() {
    TreeView tree = tree("/svc => /$/no.Such;", "/svc");

    assertThat(tree.children().get(0).label()).startsWith("Exception: Unknown namer: no.Such");
    assertThat(tree.outcome()).isEqualTo("fail");
  }

  @Test
  void aTransformationShowsItsTransformerAndTheNameBeforeAboveTheNameAfter() {
    PreviewService outgoing =
        new InterpreterPreview(
            new dev.turnout.naming.Interpreter(
                java.util.List.of(new dev.turnout.naming.Interpreter.Mount(Path.of("#"), new NamesBoundToThemselves()))),
            ns -> Dtab.EMPTY,
            ns -> new dev.turnout.naming.TransformerChain(
                java.util.List.of(dev.turnout.naming.Transformer.port(Path.read("/%/io.l5d.port/4141"), 4141))));

    TreeView tree = TreeView.of(outgoing.delegate("default", Dtab.read("/svc => /#/io.l5d.fs;"), Path.read("/svc/users")));

    TreeView x = tree.children().get(0);
    assertThat(x.label()).isEqualTo("Transformation");
    assertThat(x.dentry()).isEqualTo("io.l5d.port");
    assertThat(x.bound()).isEqualTo("[/#/io.l5d.fs/users]");
    assertThat(x.primary()).isTrue();
    assertThat(x.children().get(0).bound()).isEqualTo("[/%/io.l5d.port/4141/#/io.l5d.fs/users]");
    assertThat(x.children().get(0).dentry()).isEqualTo("/svc => /#/io.l5d.fs");
  }
}
