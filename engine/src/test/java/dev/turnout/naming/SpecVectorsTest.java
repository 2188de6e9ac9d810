package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.dtab.Prefix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector of dtab.md §3, plus our own extra cases, from one table ({@code vectors.txt}, lines as the
 * spec writes them: {@code id ¦ ... ¦ expected ¦ source}). The id's letter says what is checked: B and H
 * binding (H: base dtab ++ override), L one lookup step, E evaluation, S simplification, N binding
 * against namers whose state changes or fails, P parsing, T reading trees and paths.
 */
class SpecVectorsTest {
  private static final String SEP = " ¦ ";
  /** A trailing explanation in parentheses, such as {@code (v2 Neg → earlier dentry)}. */
  private static final Pattern NOTE = Pattern.compile("\\s+\\([a-z~!$][^()]*\\)\\s*$");

  static Stream<Arguments> vectors() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (String resource : List.of("/dev/turnout/dtab/vectors.txt", "/dev/turnout/dtab/vectors-extra.txt")) {
      try (InputStream in = SpecVectorsTest.class.getResourceAsStream(resource)) {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
          if (!line.isBlank() && !line.startsWith("//")) {
            out.add(Arguments.of(line.substring(0, line.indexOf(SEP)), line));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void vector(String id, String line) {
    String[] f = line.split(SEP, -1);
    switch (id.charAt(0)) {
      case 'B':
        bindVector(Dtab.read(f[1]), f[2], f[3], f[4]);
        break;
      case 'H':
        overrideVector(f);
        break;
      case 'L':
        assertTreeLike(Dtab.read(f[1]).lookup(Path.read(f[2])), f[3]);
        break;
      case 'E':
        evalVector(f[1], f[2]);
        break;
      case 'S':
        assertTreeLike(NameTree.read(inside(f[1], "simplify(")).simplify(), f[2]);
        break;
      case 'N':
        namerVector(f[1], f[2]);
        break;
      case 'P':
        parseVector(f[1], f[2]);
        break;
      case 'T':
        readVector(f[1], f[2]);
        break;
      default:
        throw new AssertionError("no rule for vector " + id);
    }
  }

  // ---- binding

  private static void bindVector(Dtab dtab, String path, String existing, String expected) {
    Interpreter interpreter = VectorNamers.interpreter(names(existing));
    String want = expected.strip();
    if (want.startsWith("ERR")) {
      Throwable thrown = catchThrowable(() -> interpreter.bind(dtab, Path.read(path)));
      assertErr(thrown, want);
      return;
    }
    assertThat(squeeze(render(interpreter.bind(dtab, Path.read(path))))).isEqualTo(squeeze(firstTerm(want)));
  }

  private static void overrideVector(String[] f) {
    String dtabField = f[1];
    String expected = f[4].strip();
    if (expected.startsWith("HTTP 400")) {
      String header = unquote(dtabField.substring(dtabField.indexOf(": ") + 2));
      assertThat(catchThrowable(() -> Dtab.read(header))).isInstanceOf(DtabParseException.class);
      return;
    }
    Matcher forwarded = Pattern.compile("l5d-ctx-dtab: (\\S+)").matcher(expected);
    if (forwarded.find() && expected.startsWith("downstream")) {
      String header = dtabField.substring(dtabField.lastIndexOf(": ") + 2);
      assertThat(Dtab.read(header).show()).isEqualTo(forwarded.group(1).replaceAll(",$", ""));
      return;
    }
    Dtab base;
    Dtab local = Dtab.EMPTY;
    String[] layers = dtabField.split("\\s+\\+\\s+l5d-(?:ctx-)?dtab:\\s*");
    Matcher namerd = Pattern.compile("namerd dtab (.*), local (.*)").matcher(dtabField);
    if (layers.length > 1) {
      base = Dtab.read(layers[0]);
      for (int i = 1; i < layers.length; i++) {
        local = local.concat(Dtab.read(layers[i]));
      }
    } else if (namerd.matches()) {
      base = Dtab.read(namerd.group(1));
      local = Dtab.read(namerd.group(2));
    } else {
      base = Dtab.read(dtabField);
    }
    bindVector(base.concat(local), f[2], f[3], f[4]);
  }

  private static void namerVector(String description, String expected) {
    Matcher m = Pattern.compile("bind (.*?)(?: with (.*))?").matcher(description.strip());
    assertThat(m.matches()).as("N vector form: %s", description).isTrue();
    VectorNamers.StatefulNamer namer = new VectorNamers.StatefulNamer();
    applyStates(namer, m.group(2));
    Interpreter interpreter = new Interpreter(List.of(new Interpreter.Mount(Path.EMPTY, namer)));
    NameTree<Path> tree = NameTree.read(m.group(1));

    if (expected.strip().startsWith("ERR")) {
      assertErr(catchThrowable(() -> interpreter.bind(Dtab.EMPTY, tree)), expected.strip());
      return;
    }
    String[] steps = expected.split("\\s*;\\s*then\\s+", 2);
    assertThat(squeeze(render(interpreter.bind(Dtab.EMPTY, tree)))).isEqualTo(squeeze(leafIds(firstTerm(steps[0]))));
    if (steps.length == 2) {
      String[] change = steps[1].split("\\s*→\\s*", 2);
      long before = interpreter.generation();
      AtomicInteger heard = new AtomicInteger();
      interpreter.onChange(heard::incrementAndGet);

      applyStates(namer, change[0]);

      assertThat(interpreter.generation()).isGreaterThan(before);
      assertThat(heard.get()).isPositive();
      assertThat(squeeze(render(interpreter.bind(Dtab.EMPTY, tree)))).isEqualTo(squeeze(leafIds(firstTerm(change[1]))));
    }
  }

  private static void applyStates(VectorNamers.StatefulNamer namer, String states) {
    if (states == null) {
      return;
    }
    for (String s : states.split(",")) {
      String[] kv = s.strip().split("\\s*=\\s*|\\s+", 2);
      String state = kv[1].startsWith("failed") ? "failed" : kv[1];
      namer.set(kv[0].startsWith("/") ? kv[0] : "/" + kv[0], state);
    }
  }

  /** {@code Leaf(t0)} names the bound id {@code /t0}. */
  private static String leafIds(String term) {
    return term.replaceAll("Leaf\\((?!/)", "Leaf(/");
  }

  static String render(NameTree<BoundName> t) {
    if (t instanceof NameTree.Leaf<BoundName> l) {
      return "Leaf(" + l.value() + ")";
    } else if (t instanceof NameTree.Union<BoundName> u) {
      return u.trees().stream()
          .map(w -> w.weight() + "*" + render(w.tree()))
          .collect(Collectors.joining(", ", "Union(", ")"));
    } else if (t instanceof NameTree.Alt<BoundName> a) {
      return a.trees().stream().map(SpecVectorsTest::render).collect(Collectors.joining(", ", "Alt(", ")"));
    }
    return t.show();
  }

  private static Set<String> names(String field) {
    String f = field.strip();
    if (f.isEmpty() || f.equals("-") || f.equals("–") || f.equals("(none)")) {
      return Set.of();
    }
    return Set.of(f.split("\\s*,\\s*"));
  }

  // ---- evaluation and trees

  private static void evalVector(String tree, String expected) {
    Optional<Set<Path>> result = NameTree.read(tree).eval();
    String want = expected.strip();
    if (want.startsWith("None")) {
      assertThat(result).isEmpty();
      return;
    }
    String inner = want.substring(want.indexOf('{') + 1, want.indexOf('}'));
    Set<String> names = new TreeSet<>();
    for (String n : inner.split(",")) {
      if (!n.isBlank()) {
        names.add(n.strip());
      }
    }
    assertThat(result).isPresent();
    Set<String> got = new TreeSet<>();
    result.get().forEach(p -> got.add(p.show()));
    assertThat(got).isEqualTo(names);
  }

  /**
   * A tree against a structural expectation ({@code Alt(Union(/foo,/bar), /baz, Empty)}, {@code Union(1
   * /foo, 2 /bar)}, {@code Leaf(/d/e/f)}, {@code Neg}) or its canonical text; spaces do not matter.
   */
  private static void assertTreeLike(NameTree<Path> tree, String expected) {
    String want =
        squeeze(firstTerm(expected.strip()))
            .replaceAll("Leaf\\(([^()]*)\\)", "$1")
            .replaceAll("\\bNeg\\b", "~")
            .replaceAll("\\bFail\\b", "!")
            .replaceAll("\\bEmpty\\b", "\\$");
    List<String> forms =
        List.of(
            structure(tree, 0), structure(tree, 1), structure(tree, 2), squeeze(tree.show()));
    assertThat(forms)
        .as("%s as %s", tree.show(), expected)
        .contains(want);
  }

  /** Weights: 0 none shown, 1 every one, 2 those other than 1. */
  private static String structure(NameTree<Path> t, int weights) {
    if (t instanceof NameTree.Alt<Path> a) {
      return a.trees().stream().map(m -> structure(m, weights)).collect(Collectors.joining(",", "Alt(", ")"));
    } else if (t instanceof NameTree.Union<Path> u) {
      return u.trees().stream()
          .map(
              w ->
                  (weights == 1 || (weights == 2 && w.weight() != 1.0) ? number(w.weight()) : "")
                      + structure(w.tree(), weights))
          .collect(Collectors.joining(",", "Union(", ")"));
    }
    return t.show();
  }

  private static String number(double d) {
    String s = Double.toString(d);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }

  // ---- parsing

  private static void parseVector(String input, String expected) {
    String text = input.equals("(empty string)") ? "" : input.replace("\\n", "\n").replace("\\t", "\t");
    String want = expected.strip();
    if (want.startsWith("ERR")) {
      assertErr(catchThrowable(() -> Dtab.read(text)), want);
      return;
    }
    Dtab dtab = Dtab.read(text);
    Matcher count = Pattern.compile("OK,? (\\d+) dentr(?:y|ies)").matcher(want);
    Matcher label = Pattern.compile("OK prefix label \"(.*)\"").matcher(want);
    if (count.lookingAt()) {
      assertThat(dtab.size()).isEqualTo(Integer.parseInt(count.group(1)));
    } else if (label.matches()) {
      Prefix.Elem first = dtab.dentries().get(0).prefix().elems().get(0);
      assertThat(first).isEqualTo(new Prefix.Label(label.group(1)));
    } else {
      assertThat(dtab.show()).isEqualTo(stripNote(want.substring(2).strip()));
    }
  }

  private static void readVector(String what, String expected) {
    Matcher call = Pattern.compile("(\\w+)\\.read\\(\"(.*)\"\\)").matcher(what.strip());
    if (call.matches()) {
      String text = call.group(2);
      String want = expected.strip();
      if (want.startsWith("ERR")) {
        assertErr(catchThrowable(() -> readAs(call.group(1), text)), want);
        return;
      }
      String[] parts = want.split(";\\s*show\\s+", 2);
      if (call.group(1).equals("NameTree")) {
        assertTreeLike(NameTree.read(text), parts[0]);
      } else {
        assertThat(readAs(call.group(1), text)).isEqualTo(stripNote(parts[0]));
      }
      if (parts.length == 2) {
        assertThat(NameTree.read(text).show()).isEqualTo(unquote(parts[1].strip()));
      }
      return;
    }
    Matcher list = Pattern.compile("(\\w+)\\.read:\\s*(.*)").matcher(what.strip());
    assertThat(list.matches()).as("T vector form: %s", what).isTrue();
    for (String clause : list.group(2).split(";")) {
      String[] io = clause.split("→", 2);
      String result = io[1].strip();
      Matcher q = Pattern.compile("\"((?:[^\"])*)\"").matcher(io[0]);
      int n = 0;
      while (q.find()) {
        n++;
        String text = q.group(1);
        if (result.startsWith("ERR")) {
          assertThat(catchThrowable(() -> readAs(list.group(1), text)))
              .as("%s.read(\"%s\")", list.group(1), text)
              .isInstanceOf(DtabParseException.class);
        } else {
          assertThat(readAs(list.group(1), text)).isEqualTo(result);
        }
      }
      assertThat(n).as("inputs in %s", clause).isPositive();
    }
  }

  private static String readAs(String kind, String text) {
    switch (kind) {
      case "Path":
        return Path.read(text).show();
      case "NameTree":
        return NameTree.read(text).show();
      case "Dentry":
        return Dentry.read(text).show();
      case "Dtab":
        return Dtab.read(text).show();
      case "Prefix":
        return Prefix.read(text).show();
      default:
        throw new AssertionError("no reader " + kind);
    }
  }

  // ---- expectations

  /** ERR vectors: a parse error's message, or a binding error's {@code Kind: detail}. */
  private static void assertErr(Throwable thrown, String expected) {
    String want = stripNote(expected.substring(3).strip());
    assertThat(thrown).as("expected an error: %s", want).isNotNull();
    if (thrown instanceof BindingException b) {
      String full = b.kind() + ": " + b.detail();
      boolean ok =
          full.startsWith(want)
              || b.detail().toLowerCase(Locale.ROOT).startsWith(want.toLowerCase(Locale.ROOT));
      assertThat(ok).as("%s matches %s", full, want).isTrue();
      return;
    }
    assertThat(thrown).isInstanceOf(DtabParseException.class);
    if (want.contains(" found at '")) {
      assertThat(thrown.getMessage()).isEqualTo(want);
    } else {
      assertThat(thrown.getMessage()).startsWith(want);
    }
  }

  /** The leading term of an expectation: a balanced {@code Name(...)}, or the first word. */
  static String firstTerm(String expected) {
    String s = expected.strip();
    int open = s.indexOf('(');
    int space = s.indexOf(' ');
    if (open > 0 && (space < 0 || open < space)) {
      int depth = 0;
      for (int i = open; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '(') {
          depth++;
        } else if (c == ')' && --depth == 0) {
          return s.substring(0, i + 1);
        }
      }
      return s;
    }
    return space < 0 ? s : s.substring(0, space);
  }

  private static String stripNote(String s) {
    String out = s;
    int wide = out.indexOf("  ");
    if (wide >= 0) {
      out = out.substring(0, wide);
    }
    return NOTE.matcher(out).replaceFirst("").strip();
  }

  private static String squeeze(String s) {
    return s.replaceAll("\\s+", "");
  }

  private static String unquote(String s) {
    String t = s.strip();
    return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
  }

  private static String inside(String call, String opening) {
    String t = call.strip();
    return t.startsWith(opening) ? t.substring(opening.length(), t.length() - 1) : t;
  }
}
