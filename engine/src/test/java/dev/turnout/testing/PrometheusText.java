package dev.turnout.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), for tests: no Java parser of
 * that format is published by the Prometheus project (its client library only writes it), so this
 * one holds a scrape to the format's rules and fails on the first line that breaks one. It checks
 * metric and label names, label value escapes ({@code \\}, {@code \"}, {@code \n} only), values (Go's
 * float syntax with {@code NaN} and {@code ±Inf}), one {@code # HELP} and one {@code # TYPE} per family
 * at most and before its samples, each family's samples together, summary samples as the family's name
 * with a {@code quantile} label or with {@code _sum} or {@code _count}, and no series twice.
 */
public final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern VALUE =
      Pattern.compile("[+-]?(?:Inf|NaN|(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples = new ArrayList<>();
  private final Map<String, String> types = new HashMap<>();
  private final Map<String, String> helps = new HashMap<>();

  private PrometheusText() {}

  /** Reads a whole scrape; throws {@link AssertionError} naming the line and the rule it breaks. */
  public static PrometheusText parse(String text) {
    PrometheusText p = new PrometheusText();
    p.read(text);
    return p;
  }

  public List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The family's declared type, if it has a {@code # TYPE} line. */
  public Optional<String> type(String family) {
    return Optional.ofNullable(types.get(family));
  }

  public Optional<String> help(String family) {
    return Optional.ofNullable(helps.get(family));
  }

  /** The value of the one sample with exactly these labels (name, value pairs). */
  public Optional<Double> value(String name, String... labels) {
    Map<String, String> want = new HashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    return samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(want)).map(Sample::value).findFirst();
  }

  private void read(String text) {
    Set<String> closed = new HashSet<>();
    Set<String> series = new HashSet<>();
    String current = null;
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      String where = "line " + lineNo + " '" + line + "': ";
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
          String family = parts[2];
          check(NAME.matcher(family).matches(), where + "bad metric name");
          check(!closed.contains(family) && !family.equals(current), where + parts[1] + " after the family's samples");
          Map<String, String> into = parts[1].equals("HELP") ? helps : types;
          check(!into.containsKey(family), where + "second " + parts[1] + " for " + family);
          String rest = parts.length == 4 ? parts[3] : "";
          if (parts[1].equals("TYPE")) {
            check(TYPES.contains(rest), where + "unknown type");
          }
          into.put(family, rest);
        }
        continue;
      }
      Sample s;
      try {
        s = sample(line, where);
      } catch (StringIndexOutOfBoundsException e) {
        throw new AssertionError(where + "the line ends too soon", e);
      }
      String family = family(s.name);
      if (!family.equals(current)) {
        check(!closed.contains(family), where + "samples of " + family + " are not together");
        if (current != null) {
          closed.add(current);
        }
        current = family;
      }
      if ("summary".equals(types.get(family)) && s.name.equals(family)) {
        check(s.labels.containsKey("quantile"), where + "a summary's own samples need a quantile label");
      }
      check(series.add(s.name + new TreeMap<>(s.labels)), where + "the same series twice");
      samples.add(s);
    }
  }

  /** The family a sample belongs to: a declared summary's or histogram's name for its suffixed samples. */
  private String family(String name) {
    for (String suffix : new String[] {"_sum", "_count", "_bucket"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if ("summary".equals(type) && !suffix.equals("_bucket") || "histogram".equals(type)) {
          return base;
        }
      }
    }
    return name;
  }

  private static Sample sample(String line, String where) {
    Matcher m = NAME.matcher(line);
    check(m.lookingAt(), where + "bad metric name");
    String name = m.group();
    int i = m.end();
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        Matcher ln = LABEL_NAME.matcher(line).region(i, line.length());
        check(ln.lookingAt(), where + "bad label name at " + i);
        i = ln.end();
        check(line.startsWith("=\"", i), where + "expected =\" at " + i);
        i += 2;
        StringBuilder v = new StringBuilder();
        while (line.charAt(i) != '"') {
          char c = line.charAt(i++);
          if (c == '\\') {
            char e = line.charAt(i++);
            check(e == '\\' || e == '"' || e == 'n', where + "bad escape \\" + e);
            v.append(e == 'n' ? '\n' : e);
          } else {
            v.append(c);
          }
        }
        i++;
        check(labels.put(ln.group(), v.toString()) == null, where + "label " + ln.group() + " twice");
        if (line.charAt(i) == ',') {
          i++;
        } else {
          check(line.charAt(i) == '}', where + "expected , or } at " + i);
        }
      }
      i++;
    }
    check(i < line.length() && line.charAt(i) == ' ', where + "expected a space before the value");
    String[] rest = line.substring(i + 1).split(" ");
    check(rest.length <= 2 && VALUE.matcher(rest[0]).matches(), where + "bad value");
    if (rest.length == 2) {
      check(rest[1].matches("-?[0-9]+"), where + "bad timestamp");
    }
    String v = rest[0].replace("Inf", "Infinity");
    return new Sample(name, Map.copyOf(labels), Double.parseDouble(v));
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }
}
