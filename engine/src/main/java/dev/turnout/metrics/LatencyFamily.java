package dev.turnout.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The latency histograms of one scope ({@code turnout_service_latency_ms} and its {@code _max}), one
 * series per stats node, read from each node's {@link LatencyBuckets} when scraped. It stands in for the
 * Micrometer summary each node used to record every request into, under the same names, help text,
 * labels and bounds, so a scrape reads as it did.
 */
final class LatencyFamily implements MultiCollector {
  private record Member(Labels labels, TrafficStats stats) {}

  private final String name;
  private final String help;
  private final List<Member> members = new CopyOnWriteArrayList<>();

  LatencyFamily(String name, String help) {
    this.name = name;
    this.help = help;
  }

  /** Adds the series of {@code stats}, labelled by {@code tags}. */
  void add(Tags tags, TrafficStats stats) {
    Labels.Builder labels = Labels.builder();
    for (Tag t : tags) {
      labels.label(t.getKey(), t.getValue());
    }
    members.add(new Member(labels.build(), stats));
  }

  @Override
  public MetricSnapshots collect() {
    HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name(name).help(help);
    GaugeSnapshot.Builder max = GaugeSnapshot.builder().name(name + "_max").help(help);
    for (Member m : members) {
      LatencyBuckets.Snapshot s = m.stats().latencyBuckets();
      histogram.dataPoint(
          HistogramSnapshot.HistogramDataPointSnapshot.builder()
              .labels(m.labels())
              .classicHistogramBuckets(ClassicHistogramBuckets.of(LatencyBuckets.BOUNDS_WITH_INF, s.counts()))
              .sum(s.sumMillis())
              .build());
      max.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(m.labels()).value(s.maxMillis()).build());
    }
    return new MetricSnapshots(histogram.build(), max.build());
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(name, name + "_max");
  }
}
