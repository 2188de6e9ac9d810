package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BindingCacheTest {
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;
  private final VectorNamers.StatefulNamer namer = new VectorNamers.StatefulNamer();
  private final Interpreter interpreter =
      new Interpreter(List.of(new Interpreter.Mount(Path.read("/#"), namer)));
  private final BindingCache cache = new BindingCache(interpreter, 100, Duration.ofMinutes(10), ticker);
  private final Dtab dtab = Dtab.read("/svc => /#");

  @Test
  void aRepeatedBindingIsServedFromTheCache() {
    cache.bind(1L, dtab, Path.read("/svc/a"));

    cache.bind(1L, dtab, Path.read("/svc/a"));

    assertThat(cache.stats().hitCount()).isEqualTo(1);
    assertThat(cache.stats().missCount()).isEqualTo(1);
  }

  @Test
  void aNewDtabVersionBindsAfresh() {
    cache.bind(1L, dtab, Path.read("/svc/a"));

    var t = cache.bind(2L, Dtab.read("/svc => /#/b"), Path.read("/svc/a"));

    assertThat(t.show()).isEqualTo("/b/a");
    assertThat(cache.stats().missCount()).isEqualTo(2);
  }

  @Test
  void aNamerChangeBindsAfresh() {
    assertThat(cache.bind(1L, dtab, Path.read("/svc/a")).show()).isEqualTo("/a");

    namer.set("/a", "~");

    assertThat(cache.bind(1L, dtab, Path.read("/svc/a")).show()).isEqualTo("~");
  }

  @Test
  void idleEntriesAgeOutOnTheTicker() {
    cache.bind(1L, dtab, Path.read("/svc/a"));

    nanos.addAndGet(Duration.ofMinutes(11).toNanos());
    cache.cleanUp();

    assertThat(cache.size()).isZero();
  }

  @Test
  void theSizeBoundEvictsOldEntries() {
    BindingCache small = new BindingCache(interpreter, 2);
    for (int i = 0; i < 20; i++) {
      small.bind((long) i, dtab, Path.read("/svc/a"));
    }

    small.cleanUp();

    assertThat(small.size()).isLessThanOrEqualTo(2);
  }

  @Test
  void aFailedBindingIsNotCached() {
    namer.set("/a", "failed");

    assertThatThrownBy(() -> cache.bind(1L, dtab, Path.read("/svc/a"))).isInstanceOf(BindingException.class);

    assertThat(cache.size()).isZero();
  }

  @Test
  void badSettingsAreRefusedAtOnce() {
    assertThatThrownBy(() -> new BindingCache(interpreter, 0, Duration.ofMinutes(1), ticker))
        .hasMessage("maximumSize must be positive, not 0");
    assertThatThrownBy(() -> new BindingCache(interpreter, 1, Duration.ZERO, ticker))
        .hasMessage("idleTtl must be positive, not PT0S");
  }
}
