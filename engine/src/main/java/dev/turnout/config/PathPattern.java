package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code prefix:} of an {@code io.l5d.static} entry, as Linkerd 1's {@code PathMatcher} reads it: a
 * path whose segments are literal labels, {@code *} (any one segment), or patterns holding {@code
 * {name}} captures. It matches a path that <em>starts with</em> its segments, so {@code /svc} matches
 * {@code /svc/users/v2} and {@code /} matches everything. A capture stands for any text within its one
 * segment and is greedy: {@code {a}-{b}} reads {@code x-y-z} as {@code a = x-y}, {@code b = z}. As in
 * Linkerd, a pattern segment need only occur within the path's segment ({@code v{n}} matches {@code
 * api-v2}).
 *
 * <pre>
 * /#/io.l5d.fs/{service}   matches /#/io.l5d.fs/users (service = users)
 * /svc/*&#47;v2            matches /svc/users/v2/extra, not /svc/users/v1
 * </pre>
 */
public record PathPattern(String text) {
  private static final Pattern CAPTURE = Pattern.compile("\\{[a-zA-Z0-9.:_-]+\\}");

  public PathPattern {
    if (text == null || !text.startsWith("/")) {
      throw new IllegalArgumentException("must be a path starting with /, not " + text);
    }
    segments(text); // rejects an empty segment
  }

  /** Everything: the prefix of {@code io.l5d.global}. */
  public static final PathPattern ALL = new PathPattern("/");

  /** Whether {@code path} starts with segments this pattern accepts. */
  public boolean matches(Path path) {
    return extract(path).isPresent();
  }

  /**
   * The value of each capture when {@code path} matches, as Linkerd's {@code PathMatcher.extract}:
   * {@code /#/io.l5d.fs/{service}} gives {@code {service=users}} for {@code /#/io.l5d.fs/users/v1};
   * a name captured twice keeps its later value. Empty when the path does not match.
   */
  public Optional<Map<String, String>> extract(Path path) {
    List<Object> segments = segments(text);
    if (segments.size() > path.size()) {
      return Optional.empty();
    }
    Map<String, String> vars = new LinkedHashMap<>();
    for (int i = 0; i < segments.size(); i++) {
      Object s = segments.get(i);
      String label = path.labelText(i);
      if (s instanceof Capturing c) {
        Matcher m = c.pattern().matcher(label);
        if (!m.find()) {
          return Optional.empty();
        }
        for (int g = 0; g < c.names().size(); g++) {
          vars.put(c.names().get(g), m.group(g + 1));
        }
      } else if (!"*".equals(s) && !s.equals(label)) {
        return Optional.empty();
      }
    }
    return Optional.of(vars);
  }

  /** The names this pattern captures, in the order written. */
  public Set<String> captures() {
    return names(text);
  }

  /** The {@code {name}}s written in {@code text} (a pattern, or a value to fill in), in order. */
  public static Set<String> names(String text) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = CAPTURE.matcher(text);
    while (m.find()) {
      out.add(m.group().substring(1, m.group().length() - 1));
    }
    return out;
  }

  /**
   * {@code value} with each {@code {name}} of {@code vars} replaced by its value, as Linkerd's {@code
   * PathMatcher.substitute}; a {@code {name}} not in {@code vars} is left as written.
   */
  public static String substitute(Map<String, String> vars, String value) {
    String out = value;
    for (Map.Entry<String, String> v : vars.entrySet()) {
      out = out.replace("{" + v.getKey() + "}", v.getValue());
    }
    return out;
  }

  /** A segment holding captures: the regular expression it matches with, and the captures' names. */
  private record Capturing(Pattern pattern, List<String> names) {}

  /** Each segment as its literal text ({@code *} included) or, when it captures, as a {@link Capturing}. */
  private static List<Object> segments(String text) {
    List<Object> out = new ArrayList<>();
    String[] parts = text.substring(1).split("/", -1);
    if (parts.length == 1 && parts[0].isEmpty()) {
      return out;
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException("has an empty segment: " + text);
      }
      Matcher m = CAPTURE.matcher(part);
      if (!m.find()) {
        out.add(part);
        continue;
      }
      StringBuilder regex = new StringBuilder();
      List<String> names = new ArrayList<>();
      int from = 0;
      m.reset();
      while (m.find()) {
        regex.append(Pattern.quote(part.substring(from, m.start()))).append("(.*)");
        names.add(m.group().substring(1, m.group().length() - 1));
        from = m.end();
      }
      regex.append(Pattern.quote(part.substring(from)));
      out.add(new Capturing(Pattern.compile(regex.toString()), names));
    }
    return out;
  }
}
