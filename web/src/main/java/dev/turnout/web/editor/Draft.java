package dev.turnout.web.editor;

import dev.turnout.routing.MirrorRule;
import dev.turnout.web.auth.SignedIn;
import dev.turnout.web.routing.DentryDiff;
import dev.turnout.web.routing.TreeView;
import java.util.List;
import java.util.Optional;

/**
 * What the editor knows about a draft, rendered by the editor's partials: whether the text parses (and
 * if not, the parser's message and where), its dentries with the sliders of their unions, its
 * dark-traffic rules, the preview of one path, the diff against the version in force, and the projected
 * share of recent traffic per destination.
 */
public record Draft(
    String namespace,
    SignedIn who,
    String text,
    Validation validation,
    List<DentryRow> dentries,
    int dentriesNotShown,
    List<MirrorRule> mirrors,
    String mirrorMessage,
    Preview preview,
    List<DentryDiff.Line> diff,
    long currentVersion,
    List<ShareRow> projection,
    List<String> serviceNames) {

  /**
   * The most dentries the structure pane shows with their controls; the rest are edited in the text.
   * Each row costs about a kilobyte of HTML, so a dtab at the store's limit of 2,000 dentries would
   * otherwise make a 2 MB page, re-rendered on every slider move.
   */
  public static final int MAX_DENTRY_ROWS = 200;

  public Draft {
    if (dentriesNotShown < 0) {
      throw new IllegalArgumentException("dentriesNotShown must not be negative, not " + dentriesNotShown);
    }
    dentries = List.copyOf(dentries);
    mirrors = List.copyOf(mirrors);
    diff = List.copyOf(diff);
    projection = List.copyOf(projection);
    serviceNames = List.copyOf(serviceNames);
  }

  /** A rule's percentage as the form shows it. */
  public static String percent(MirrorRule rule) {
    return MirrorRules.percent(rule);
  }

  public boolean valid() {
    return validation.valid();
  }

  /** The parse result: valid, or the parser's message with its 1-based line and column. */
  public record Validation(boolean valid, String message, int line, int column, String sourceLine) {
    static Validation ok() {
      return new Validation(true, "", 0, 0, "");
    }

    /** A malformed {@code #@mirror} line, which the proxy would refuse to load. */
    static Validation badDirective(String message, int line, String sourceLine) {
      return new Validation(false, message, line, 1, sourceLine);
    }

    /** Spaces up to the error's column, to put a caret under it. */
    public String caretPad() {
      return " ".repeat(Math.max(0, column - 1));
    }
  }

  /** A dentry of the draft, with the sliders of the unions in its destination. */
  public record DentryRow(int index, String prefix, String dst, List<UnionControl> unions) {
    public DentryRow {
      unions = List.copyOf(unions);
    }

    /**
     * The destination a rollout of this dentry would move to: the last branch of its first split (the
     * branch "Create canary" adds), or empty when the dentry has no split.
     */
    public String canaryBranch() {
      for (UnionControl u : unions) {
        if (u.branches().size() >= 2) {
          return u.branches().get(u.branches().size() - 1).destination();
        }
      }
      return "";
    }
  }

  /** The trees of one path under the draft and under the version in force, or why there are none. */
  public record Preview(
      String path, Optional<TreeView> draft, Optional<TreeView> current, String message) {
    static Preview none(String path, String message) {
      return new Preview(path, Optional.empty(), Optional.empty(), message);
    }
  }

  /** A destination's share of recent traffic now (measured) and under the draft (projected), in %. */
  public record ShareRow(String destination, double currentPercent, double draftPercent) {}
}
