package dev.turnout.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the {@code service:} and {@code client:} readers share: Linkerd 1's two kinds of either block,
 * {@code io.l5d.global} (the keys straight under the block, also what a block without {@code kind}
 * is) and {@code io.l5d.static} ({@code configs:}, a list of entries each with a {@code prefix}), and
 * the values both blocks hold (a retry budget, a prefix).
 */
final class PerPrefix {
  static final String GLOBAL = "io.l5d.global";
  static final String STATIC = "io.l5d.static";

  private PerPrefix() {}

  /** True for {@code io.l5d.static}, false for {@code io.l5d.global} or no kind. */
  static boolean isStatic(YamlNode block) {
    String kind = block.text("kind", GLOBAL);
    if (!kind.equals(GLOBAL) && !kind.equals(STATIC)) {
      throw new ConfigException(block.get("kind").path + ": must be " + GLOBAL + " or " + STATIC + ", not " + kind);
    }
    return kind.equals(STATIC);
  }

  /** The entries of {@code configs:}, each read by {@code entry} in the order written. */
  static <T> List<T> entries(YamlNode block, Function<YamlNode, T> entry) {
    YamlNode configs = block.get("configs");
    if (configs.isMissing()) {
      throw new ConfigException(configs.path + ": is required with kind " + STATIC);
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      out.add(entry.apply(configs.at(i)));
    }
    return out;
  }

  /** An entry's required {@code prefix}. */
  static PathPattern prefix(YamlNode entry) {
    String text = entry.requiredText("prefix");
    return checked(entry.get("prefix").path, () -> new PathPattern(text));
  }

  /** A {@code budget:} or {@code requeueBudget:}, each key defaulting as Linkerd's do. */
  static RetryBudgetConfig budget(YamlNode b) {
    b.only("percentCanRetry", "minRetriesPerSec", "ttlSecs");
    RetryBudgetConfig d = RetryBudgetConfig.DEFAULT;
    double pct = b.number("percentCanRetry", d.percentCanRetry());
    int min = b.nonNegativeInt("minRetriesPerSec", d.minRetriesPerSec());
    long ttl = b.nonNegativeInt("ttlSecs", (int) d.ttl().toSeconds());
    if (ttl < 1 || ttl > 60) {
      throw new ConfigException(b.get("ttlSecs").path + ": must be 1-60");
    }
    return checked(b.path, () -> new RetryBudgetConfig(pct, min, Duration.ofSeconds(ttl)));
  }

  /**
   * Makes a value whose record checks itself; its complaint (which starts with the key it is about,
   * or is about the whole value) is given the YAML path of {@code at}.
   */
  static <T> T checked(String at, Supplier<T> make) {
    try {
      return make.get();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      int colon = m.indexOf(": ");
      boolean keyed = colon > 0 && m.substring(0, colon).matches("[A-Za-z.]+");
      throw new ConfigException(at + (keyed ? "." : ": ") + m);
    }
  }
}
