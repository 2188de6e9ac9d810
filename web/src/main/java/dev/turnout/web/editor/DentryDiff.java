package dev.turnout.web.editor;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two dtab texts, dentry by dentry, plus their dark-traffic directives. Dentries
 * are paired by prefix, the k-th occurrence of a prefix with its k-th occurrence; a pair whose
 * destinations differ is a change, an unpaired one an addition or a removal. Layout and comments do not
 * count.
 */
public final class DentryDiff {
  private DentryDiff() {}

  /** One line of a diff: what happened to which prefix, and its destination before and after. */
  public record Line(String change, String prefix, String before, String after) {}

  public static List<Line> between(String fromText, String toText) {
    Dtab from = Dtab.read(fromText);
    Dtab to = Dtab.read(toText);
    Map<String, List<Dentry>> unmatched = new LinkedHashMap<>();
    for (Dentry d : from.dentries()) {
      unmatched.computeIfAbsent(d.prefix().show(), k -> new ArrayList<>()).add(d);
    }
    List<Line> out = new ArrayList<>();
    for (Dentry d : to.dentries()) {
      List<Dentry> olds = unmatched.get(d.prefix().show());
      if (olds == null || olds.isEmpty()) {
        out.add(new Line("added", d.prefix().show(), "", d.dst().show()));
        continue;
      }
      Dentry old = olds.remove(0);
      if (!old.dst().equals(d.dst())) {
        out.add(new Line("changed", d.prefix().show(), old.dst().show(), d.dst().show()));
      }
    }
    for (List<Dentry> olds : unmatched.values()) {
      for (Dentry d : olds) {
        out.add(new Line("removed", d.prefix().show(), d.dst().show(), ""));
      }
    }
    List<MirrorRule> mirrorsBefore = MirrorRules.read(fromText);
    List<MirrorRule> mirrorsAfter = MirrorRules.read(toText);
    for (MirrorRule r : mirrorsAfter) {
      if (!mirrorsBefore.contains(r)) {
        out.add(new Line("added", "dark traffic", "", r.show()));
      }
    }
    for (MirrorRule r : mirrorsBefore) {
      if (!mirrorsAfter.contains(r)) {
        out.add(new Line("removed", "dark traffic", r.show(), ""));
      }
    }
    return List.copyOf(out);
  }
}
