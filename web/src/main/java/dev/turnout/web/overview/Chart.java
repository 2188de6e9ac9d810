package dev.turnout.web.overview;

import dev.turnout.metrics.TrafficView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart of request rate over the last 10 minutes, drawn as server-side SVG: one line per
 * destination and a marker, labelled with its version, at each dtab commit in the window. Coordinates
 * are precomputed here so the template only places them.
 */
public record Chart(int width, int height, String maxLabel, List<Line> lines, List<Marker> markers) {
  static final int WIDTH = 480;
  static final int HEIGHT = 110;
  static final int TOP = 8;
  static final int BOTTOM = 18;
  static final Duration WINDOW = Duration.ofMinutes(10);

  public Chart {
    lines = List.copyOf(lines);
    markers = List.copyOf(markers);
  }

  /** A series: its destination, colour and SVG {@code points}. */
  public record Line(String client, String colour, String points) {}

  /** A commit: its x position and label, such as {@code v3}, and where the label goes. */
  public record Marker(int x, String label) {
    /** Near the right edge the label sits left of the line, so it stays inside the chart. */
    public int labelX() {
      return x > WIDTH - 40 ? x - 3 : x + 3;
    }

    public String labelAnchor() {
      return x > WIDTH - 40 ? "end" : "start";
    }
  }

  /** A destination's samples and colour. */
  record Series(String client, String colour, List<TrafficView.Sample> samples) {}

  /** A commit time and its version. */
  record Commit(Instant at, long version) {}

  static Chart draw(Instant now, List<Series> series, List<Commit> commits) {
    Instant start = now.minus(WINDOW);
    double max = 1;
    for (Series s : series) {
      for (TrafficView.Sample p : s.samples()) {
        max = Math.max(max, p.requestsPerSecond());
      }
    }
    double plotHeight = HEIGHT - TOP - BOTTOM;
    List<Line> lines = new ArrayList<>();
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (TrafficView.Sample p : s.samples()) {
        if (p.at().isBefore(start)) {
          continue;
        }
        double x = x(start, p.at());
        double y = TOP + plotHeight * (1 - p.requestsPerSecond() / max);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      lines.add(new Line(s.client(), s.colour(), points.toString().strip()));
    }
    List<Marker> markers = new ArrayList<>();
    for (Commit c : commits) {
      if (!c.at().isBefore(start) && !c.at().isAfter(now)) {
        markers.add(new Marker((int) Math.round(x(start, c.at())), "v" + c.version()));
      }
    }
    return new Chart(WIDTH, HEIGHT, String.format(Locale.ROOT, "%.0f rps", max), lines, markers);
  }

  private static double x(Instant start, Instant at) {
    double millis = Duration.between(start, at).toMillis();
    return Math.max(0, Math.min(WIDTH, WIDTH * millis / WINDOW.toMillis()));
  }
}
