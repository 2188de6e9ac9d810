package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
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
    List<Object> segments = segments(text);
    if (segments.size() > path.size()) {
      return false;
    }
    for (int i = 0; i < segments.size(); i++) {
      Object s = segments.get(i);
      String label = path.labelText(i);
      if (s instanceof Pattern p ? !p.matcher(label).find() : !"*".equals(s) && !s.equals(label)) {
        return false;
      }
    }
    return true;
  }

  /** Each segment as its literal text ({@code *} included) or, when it captures, as a pattern. */
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
      int from = 0;
      m.reset();
      while (m.find()) {
        regex.append(Pattern.quote(part.substring(from, m.start()))).append("(.*)");
        from = m.end();
      }
      regex.append(Pattern.quote(part.substring(from)));
      out.add(Pattern.compile(regex.toString()));
    }
    return out;
  }
}
