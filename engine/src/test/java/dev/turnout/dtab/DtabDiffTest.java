package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.DtabDiff.Added;
import dev.turnout.dtab.DtabDiff.Changed;
import dev.turnout.dtab.DtabDiff.Moved;
import dev.turnout.dtab.DtabDiff.Removed;
import org.junit.jupiter.api.Test;

class DtabDiffTest {

  private static DtabDiff diff(String from, String to) {
    return DtabDiff.between(Dtab.read(from), Dtab.read(to));
  }

  @Test
  void equalDtabsHaveNoChanges() {
    DtabDiff d = diff("/svc=>/a; /svc/x=>/b", "/svc => /a;\n/svc/x => /b;");

    assertThat(d.isEmpty()).isTrue();
  }

  @Test
  void appendedDentryIsAddedAtItsNewIndex() {
    DtabDiff d = diff("/svc=>/a", "/svc=>/a;/svc/y=>/d");

    assertThat(d.changes()).containsExactly(new Added(1, Dentry.read("/svc/y=>/d")));
  }

  @Test
  void droppedDentryIsRemovedFromItsOldIndex() {
    DtabDiff d = diff("/svc=>/a;/svc/y=>/d;/svc/z=>/e", "/svc=>/a;/svc/z=>/e");

    assertThat(d.changes()).containsExactly(new Removed(1, Dentry.read("/svc/y=>/d")));
  }

  @Test
  void samePrefixWithNewDestinationIsChanged() {
    DtabDiff d = diff("/svc=>/a;/svc/x=>/b", "/svc=>/c;/svc/x=>/b");

    assertThat(d.changes())
        .containsExactly(new Changed(0, 0, Dentry.read("/svc=>/a"), Dentry.read("/svc=>/c")));
    assertThat(((Changed) d.changes().get(0)).prefix()).isEqualTo(Prefix.read("/svc"));
  }

  @Test
  void sameDentryInAnotherPlaceIsMoved() {
    DtabDiff d = diff("/svc/x=>/b;/svc=>/a;/svc/y=>/c", "/svc=>/a;/svc/y=>/c;/svc/x=>/b");

    assertThat(d.changes()).containsExactly(new Moved(0, 2, Dentry.read("/svc/x=>/b")));
  }

  @Test
  void insertionAboveOthersDoesNotMoveThem() {
    DtabDiff d = diff("/a=>/1;/b=>/2", "/z=>/0;/a=>/1;/b=>/2");

    assertThat(d.changes()).containsExactly(new Added(0, Dentry.read("/z=>/0")));
  }

  @Test
  void changesAreOrderedByPositionWithKindsNamed() {
    DtabDiff d = diff("/svc=>/a;/old=>/o", "/svc=>/c;/new=>/n");

    assertThat(d.changes()).extracting(DtabDiff.Change::kind).containsExactly("changed", "removed", "added");
  }

  @Test
  void diffFromEmptyAddsEveryDentry() {
    DtabDiff d = DtabDiff.between(Dtab.EMPTY, Dtab.read("/a=>/1;/b=>/2"));

    assertThat(d.changes()).containsExactly(
        new Added(0, Dentry.read("/a=>/1")), new Added(1, Dentry.read("/b=>/2")));
  }
}
