package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code read(show(x))} equals {@code x} for generated trees and dtabs (see {@link Generated}): Alt and
 * Union nodes of two or more members, nested freely; weights with at most two decimals; labels with
 * bytes that need {@code \xHH}; prefixes with {@code *}.
 */
class ShowReadRoundTripTest {

  @Test
  void aTreeReadsBackFromItsCanonicalText() {
    Generated.forEachSeed(400, g -> {
      NameTree<Path> tree = g.tree(3);

      assertThat(NameTree.read(tree.show())).as(tree.show()).isEqualTo(tree);
    });
  }

  @Test
  void aDtabReadsBackFromItsCanonicalText() {
    Generated.forEachSeed(300, g -> {
      Dtab dtab = g.dtab(0, 5);

      assertThat(Dtab.read(dtab.show())).as(dtab.show()).isEqualTo(dtab);
    });
  }

  @Test
  void aDtabReadsBackFromItsOneDentryALineForm() {
    Generated.forEachSeed(300, g -> {
      Dtab dtab = g.dtab(0, 5);

      assertThat(Dtab.read(dtab.showLines())).as(dtab.showLines()).isEqualTo(dtab);
    });
  }

  @Test
  void aPathReadsBackFromItsCanonicalText() {
    Generated.forEachSeed(300, g -> {
      Path path = g.path();

      assertThat(Path.read(path.show())).as(path.show()).isEqualTo(path);
    });
  }
}
