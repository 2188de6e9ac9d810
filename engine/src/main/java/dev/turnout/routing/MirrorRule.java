package dev.turnout.routing;

import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dark-traffic rule, written in a dtab's text as a directive comment so that it is versioned, diffed
 * and rolled back with the dtab:
 *
 * <pre>{@code #@mirror /svc/users => /#/io.l5d.fs/users-shadow 10%}</pre>
 *
 * A request whose service name starts with {@code service} is, with probability {@code percent}/100,
 * copied to {@code destination} (bound through the same effective dtab). The copy's response is
 * discarded. The dtab parser sees these lines as comments; {@link #parseAll(String)} reads them.
 */
public record MirrorRule(Path service, Path destination, double percent) {
  static final String DIRECTIVE = "#@mirror";

  public MirrorRule {
    if (!(percent > 0) || percent > 100) {
      throw new IllegalArgumentException("mirror percent must be in (0, 100], not " + percent);
    }
  }

  /** True when a request for {@code serviceName} falls under this rule. */
  public boolean covers(Path serviceName) {
    return serviceName.startsWith(service);
  }

  /** The directive line that {@link #parseAll(String)} reads back as this rule. */
  public String show() {
    String pct = percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent);
    return DIRECTIVE + " " + service.show() + " => " + destination.show() + " " + pct + "%";
  }

  /**
   * Every {@code #@mirror} directive in {@code dtabText}, in order. Other comments are ignored.
   *
   * @throws MirrorRuleException naming the line and what is wrong with it
   */
  public static List<MirrorRule> parseAll(String dtabText) {
    List<MirrorRule> rules = new ArrayList<>();
    String[] lines = dtabText.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith(DIRECTIVE)) {
        rules.add(parseLine(line.substring(DIRECTIVE.length()), i + 1));
      }
    }
    return List.copyOf(rules);
  }

  private static MirrorRule parseLine(String body, int lineNo) {
    if (!body.isEmpty() && !Character.isWhitespace(body.charAt(0))) {
      throw new MirrorRuleException(lineNo, "unknown directive #@mirror" + body.split("\\s", 2)[0]);
    }
    int arrow = body.indexOf("=>");
    if (arrow < 0) {
      throw new MirrorRuleException(
          lineNo, "expected '#@mirror <service-prefix> => <destination> <percent>%'");
    }
    Path service = path(body.substring(0, arrow), lineNo, "service prefix");
    String rest = body.substring(arrow + 2).strip();
    int space = rest.lastIndexOf(' ');
    if (space < 0) {
      throw new MirrorRuleException(lineNo, "expected a destination and a percentage after '=>'");
    }
    Path destination = path(rest.substring(0, space), lineNo, "destination");
    String pct = rest.substring(space + 1);
    if (!pct.endsWith("%")) {
      throw new MirrorRuleException(lineNo, "percentage must end with '%', not '" + pct + "'");
    }
    double percent;
    try {
      percent = Double.parseDouble(pct.substring(0, pct.length() - 1));
    } catch (NumberFormatException e) {
      throw new MirrorRuleException(lineNo, "'" + pct + "' is not a percentage");
    }
    if (!(percent > 0) || percent > 100) {
      throw new MirrorRuleException(lineNo, "percentage must be more than 0% and at most 100%");
    }
    return new MirrorRule(service, destination, percent);
  }

  private static Path path(String text, int lineNo, String what) {
    if (text.isBlank()) {
      throw new MirrorRuleException(lineNo, "missing " + what);
    }
    try {
      return Path.read(text.strip());
    } catch (DtabParseException e) {
      throw new MirrorRuleException(lineNo, what + " is not a path: " + e.getMessage());
    }
  }
}
