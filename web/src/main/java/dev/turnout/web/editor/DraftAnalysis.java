package dev.turnout.web.editor;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.TrafficView;
import dev.turnout.routing.MirrorRule;
import dev.turnout.routing.MirrorRuleException;
import dev.turnout.store.DtabVersion;
import dev.turnout.web.auth.SignedIn;
import dev.turnout.web.routing.DentryDiff;
import dev.turnout.web.routing.PreviewService;
import dev.turnout.web.routing.Projection;
import dev.turnout.web.routing.TreeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds the editor's view of a draft: parses it, lists its dentries and unions, previews a path under
 * it and under the version in force, diffs it against that version and projects recent traffic onto it.
 */
final class DraftAnalysis {
  private final PreviewService preview;
  private final TrafficView traffic;

  DraftAnalysis(PreviewService preview, TrafficView traffic) {
    this.preview = preview;
    this.traffic = traffic;
  }

  Draft analyse(
      String namespace,
      SignedIn who,
      String text,
      Optional<DtabVersion> current,
      String previewPath,
      String mirrorMessage) {
    String currentText = current.map(DtabVersion::text).orElse("");
    long currentVersion = current.map(DtabVersion::version).orElse(0L);
    List<String> services = serviceNames(namespace);
    Dtab dtab;
    List<MirrorRule> mirrors;
    try {
      dtab = Dtab.read(text);
      mirrors = MirrorRule.parseAll(text);
    } catch (DtabParseException e) {
      Draft.Validation invalid =
          new Draft.Validation(false, e.getMessage(), e.line(), e.column(), lineOf(text, e.line()));
      return invalid(namespace, who, text, invalid, previewPath, mirrorMessage, currentVersion, services);
    } catch (MirrorRuleException e) {
      Draft.Validation invalid =
          Draft.Validation.badDirective(
              "dark-traffic directive: " + e.getMessage().replaceFirst("^line \\d+: ", ""),
              e.line(),
              lineOf(text, e.line()));
      return invalid(namespace, who, text, invalid, previewPath, mirrorMessage, currentVersion, services);
    }
    List<UnionControl> unions = Unions.find(dtab);
    List<Draft.DentryRow> rows = new ArrayList<>();
    int shown = Math.min(dtab.size(), Draft.MAX_DENTRY_ROWS);
    for (int i = 0; i < shown; i++) {
      Dentry d = dtab.dentries().get(i);
      String mine = "d" + i;
      List<UnionControl> own = new ArrayList<>();
      for (UnionControl u : unions) {
        if (u.id().equals(mine) || u.id().startsWith(mine + "-")) {
          own.add(u);
        }
      }
      rows.add(new Draft.DentryRow(i, d.prefix().show(), d.dst().show(), own));
    }
    Dtab currentDtab = current.map(DtabVersion::dtab).orElse(Dtab.EMPTY);
    return new Draft(
        namespace,
        who,
        text,
        Draft.Validation.ok(),
        rows,
        dtab.size() - shown,
        mirrors,
        mirrorMessage,
        previewOf(namespace, dtab, currentDtab, previewPath),
        diff(currentText, text),
        currentVersion,
        projection(namespace, dtab),
        services);
  }

  private static Draft invalid(
      String namespace,
      SignedIn who,
      String text,
      Draft.Validation validation,
      String previewPath,
      String mirrorMessage,
      long currentVersion,
      List<String> services) {
    return new Draft(
        namespace, who, text, validation, List.of(), 0, MirrorRules.readLenient(text), mirrorMessage,
        Draft.Preview.none(previewPath, "Fix the dtab to see the preview."), List.of(),
        currentVersion, List.of(), services);
  }

  private Draft.Preview previewOf(String namespace, Dtab draft, Dtab current, String pathText) {
    String p = pathText == null ? "" : pathText.strip();
    if (p.isEmpty()) {
      return Draft.Preview.none("", "Type a service name such as /svc/users to see where it goes.");
    }
    Path path;
    try {
      path = Path.read(p);
    } catch (IllegalArgumentException e) {
      return Draft.Preview.none(p, "Invalid path: " + e.getMessage());
    }
    return new Draft.Preview(
        p,
        Optional.of(TreeView.of(preview.delegate(namespace, draft, path), preview::source)),
        Optional.of(TreeView.of(preview.delegate(namespace, current, path), preview::source)),
        "");
  }

  private static List<DentryDiff.Line> diff(String currentText, String draftText) {
    try {
      return DentryDiff.between(currentText, draftText);
    } catch (IllegalArgumentException storedTextUnreadable) {
      return List.of();
    }
  }

  /**
   * Per destination, the share of the namespace's recent requests it received and the share it would
   * receive under the draft, weighting each service name by its request rate.
   */
  private List<Draft.ShareRow> projection(String namespace, Dtab draft) {
    Map<String, double[]> byDestination = new TreeMap<>();
    double total = 0;
    for (TrafficView.RouterTraffic r : traffic.routers()) {
      if (!namespace.equals(r.namespace())) {
        continue;
      }
      for (TrafficView.ServiceTraffic s : r.services()) {
        double rate = s.stats().requestsPerSecond();
        if (!(rate > 0)) {
          continue;
        }
        total += rate;
        for (TrafficView.ClientTraffic c : s.clients()) {
          byDestination.computeIfAbsent(c.client(), k -> new double[2])[0] +=
              c.stats().requestsPerSecond();
        }
        Path service;
        try {
          service = Path.read(s.service());
        } catch (IllegalArgumentException notAPath) {
          continue;
        }
        for (Map.Entry<String, Double> e :
            Projection.shares(preview.delegate(namespace, draft, service)).entrySet()) {
          byDestination.computeIfAbsent(e.getKey(), k -> new double[2])[1] += rate * e.getValue();
        }
      }
    }
    List<Draft.ShareRow> out = new ArrayList<>();
    if (total <= 0) {
      return out;
    }
    for (Map.Entry<String, double[]> e : byDestination.entrySet()) {
      out.add(
          new Draft.ShareRow(e.getKey(), 100 * e.getValue()[0] / total, 100 * e.getValue()[1] / total));
    }
    return out;
  }

  private List<String> serviceNames(String namespace) {
    TreeSet<String> names = new TreeSet<>();
    for (TrafficView.RouterTraffic r : traffic.routers()) {
      if (r.namespace() == null || namespace.equals(r.namespace())) {
        for (TrafficView.ServiceTraffic s : r.services()) {
          names.add(s.service());
        }
      }
    }
    return List.copyOf(names);
  }

  private static String lineOf(String text, int line) {
    String[] lines = text.split("\n", -1);
    return line >= 1 && line <= lines.length ? lines[line - 1] : "";
  }
}
