package dev.turnout.web.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Prefix;
import dev.turnout.store.DtabStore;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.Namespaces;
import dev.turnout.store.RolloutTable;
import dev.turnout.store.StoreException;
import dev.turnout.web.editor.DraftText;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs rollouts: each step is an ordinary commit of the namespace's dtab that changes only the
 * rollout's dentry (author {@code rollout N}), then the driver waits for the fleet's live members to
 * route by that version, observes the canary's destination for the step's duration and judges it
 * against the guardrails. A pass commits the next step; a failure commits the dentry as it was before
 * the rollout (that dentry only) and says why in the rollout, the commit's comment and the log.
 *
 * <p>{@link #tick} moves every running rollout as far as the clock allows; a scheduler calls it every
 * second, a test calls it after moving a fake clock. All state is in the store after each change, so
 * a restart continues where the rollout stood. People stay in charge: {@link #pause}, {@link #resume},
 * {@link #promote}, {@link #abort}; a commit by anyone else to the namespace pauses the rollout, and
 * resuming continues from that person's dtab.
 *
 * <p>Why one class of this size: it is the rollout's state machine, every transition (a tick's step,
 * verdict or rollback; pause, resume, promote, abort) reading and writing the same stored rollout under
 * the same lease, kept together so the transitions can be read side by side; the figures ({@link
 * Figures}), convergence ({@link Convergence}) and the stored form ({@link Rollout}) are apart.
 */
public final class RolloutDriver {
  private static final Logger log = LoggerFactory.getLogger(RolloutDriver.class);

  /** No convergence on a step's version within this pauses the rollout. */
  public static final Duration CONVERGE_WITHIN = Duration.ofSeconds(60);

  /** How often the window takes the figures: their own window, so samples neither overlap nor gap. */
  public static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);

  /** Not enough requests within this many step durations pauses the rollout. */
  static final int TRAFFIC_PATIENCE = 3;

  static final String AUTHOR_PREFIX = "rollout ";
  static final String CONVERGING = "converging";
  static final String OBSERVING = "observing";
  static final String GATE = "gate";

  static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A request the driver refuses, with the HTTP status that says why. Nothing was written. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final DtabStore store;
  private final RolloutTable table;
  private final Figures figures;
  private final Destinations destinations;
  private final Convergence convergence;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final java.util.function.Supplier<String> self;
  private volatile boolean driving;

  /**
   * How long the driver lease lasts unless renewed; each tick (every second) renews it, so another
   * control plane takes over within this (plus a tick) of the driver's death.
   */
  public static final Duration LEASE_TTL = Duration.ofSeconds(6);

  static final String LEASE = "driver";

  public RolloutDriver(DtabStore store, RolloutTable table, Figures figures, Convergence convergence, Clock clock) {
    this(store, table, figures, convergence, clock, "control-plane-" + java.util.UUID.randomUUID());
  }

  /**
   * @param self this control plane's name as the driver lease records it; unique among the control
   *     planes sharing the database
   */
  public RolloutDriver(DtabStore store, RolloutTable table, Figures figures, Convergence convergence, Clock clock,
      String self) {
    this(store, table, figures, convergence, clock, () -> self);
  }

  /**
   * @param self this control plane's name as the driver lease records it (its fleet instance name, known
   *     once its admin port is open; until then, a random one)
   */
  public RolloutDriver(DtabStore store, RolloutTable table, Figures figures, Convergence convergence, Clock clock,
      java.util.function.Supplier<String> self) {
    this(store, table, figures, Destinations.AS_WRITTEN, convergence, clock, self);
  }

  /**
   * @param destinations how the canary and the stable, as written, resolve to the bound ids whose
   *     figures {@code figures} has ({@link Destinations#of} the preview in a control plane)
   */
  public RolloutDriver(DtabStore store, RolloutTable table, Figures figures, Destinations destinations,
      Convergence convergence, Clock clock, java.util.function.Supplier<String> self) {
    String fallback = "control-plane-" + java.util.UUID.randomUUID();
    this.self = () -> {
      String name = self.get();
      return name == null || name.isEmpty() ? fallback : name;
    };
    this.store = store;
    this.table = table;
    this.figures = figures;
    this.destinations = destinations;
    this.convergence = convergence;
    this.clock = clock;
  }

  /**
   * Where this driver reads live figures, so a screen shows the very figures it judges on: a
   * destination as written is resolved under the namespace's dtab now to its bound ids, and their
   * figures are summed.
   */
  Figures figures() {
    return (namespace, service, destination) -> {
      Optional<DtabVersion> current = store.current(namespace);
      if (current.isEmpty()) {
        return Optional.empty();
      }
      return figures.ofAll(namespace, service, destinations.of(namespace, current.get().dtab(), destination).ids());
    };
  }

  /**
   * Calls {@link #tick} every {@code every} on a daemon thread of its own until closed; a tick that
   * fails is logged and the next one tries again.
   */
  public AutoCloseable startTicking(Duration every) {
    java.util.concurrent.ScheduledExecutorService ticker =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
          Thread t = new Thread(task, "rollout-driver");
          t.setDaemon(true);
          return t;
        });
    ticker.scheduleWithFixedDelay(() -> {
      try {
        tick();
      } catch (RuntimeException e) {
        log.warn("rollout tick failed; trying again in {} ms", every.toMillis(), e);
      }
    }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return ticker::shutdownNow;
  }

  // ---- what people ask ----

  /**
   * Starts a rollout and commits its first step (or stops at its gate).
   *
   * @throws Refused 404 for an unknown namespace, 400 when no dentry has the prefix or the canary is
   *     the stable, 409 when an active rollout holds the prefix
   */
  public Rollout start(String namespace, RolloutSpec spec) {
    lock.lock();
    try {
      DtabVersion current = existing(namespace);
      int index = dentryIndex(current, spec.service())
          .orElseThrow(() -> new Refused(400, "no dentry of '" + namespace + "' has the prefix " + spec.service()));
      Dentry dentry = current.dtab().dentries().get(index);
      String stable = dentry.dst().show();
      if (stable.equals(spec.canary())) {
        throw new Refused(400, "the canary " + spec.canary() + " is the stable destination already");
      }
      // The prefix's own rollout is the first thing to say (insert checks it again, atomically): while it
      // runs, the dentry holds the canary already and the canary would read as part of the stable.
      for (RolloutTable.Row active : table.active()) {
        if (active.namespace().equals(namespace) && active.service().equals(spec.service())) {
          throw new Refused(409, "rollout " + active.id() + " is already moving " + spec.service() + " in '"
              + namespace + "'");
        }
      }
      Optional<String> unjudgeable = unjudgeable(namespace, current, spec.canary(), stable);
      if (unjudgeable.isPresent()) {
        throw new Refused(400, unjudgeable.get());
      }
      long now = clock.millis();
      RolloutTable.Row row;
      try {
        row = table.insert(namespace, spec.service(), Rollout.State.RUNNING.word(),
            id -> write(new Rollout(id, namespace, spec, stable, Rollout.State.RUNNING, -1, 0, "", List.of(),
                List.of(), "", now, current.version(), null, false, now)),
            clock.instant());
      } catch (RolloutTable.Busy busy) {
        throw new Refused(409, busy.getMessage());
      }
      Rollout r = read(row.detail());
      try {
        return save(commitStep(r, 0), row.revision());
      } catch (RuntimeException e) {
        // The first step could not be committed (a commit raced it, the store went away): the
        // rollout ends here rather than holding the prefix without ever moving.
        Rollout.Next n = r.next();
        n.state = Rollout.State.ABORTED;
        n.reason = "the first step could not be committed: " + e.getMessage();
        table.update(r.id(), row.revision(), n.state.word(), write(n.done()), clock.instant());
        if (e instanceof StoreException.Conflict) {
          throw new Refused(409, "'" + namespace + "' changed while the rollout started; try again");
        }
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The namespace's rollouts, newest first. @throws Refused 404 for a namespace that never had any */
  public List<Rollout> list(String namespace) {
    checkName(namespace);
    List<Rollout> out = new ArrayList<>();
    for (RolloutTable.Row row : table.of(namespace)) {
      out.add(read(row.detail()));
    }
    if (out.isEmpty() && store.current(namespace).isEmpty()) {
      throw new Refused(404, "namespace '" + namespace + "' does not exist");
    }
    return out;
  }

  /** @throws Refused 404 for an unknown namespace or id */
  public Rollout get(String namespace, long id) {
    return read(row(namespace, id).detail());
  }

  private RolloutTable.Row row(String namespace, long id) {
    checkName(namespace);
    return table.find(id)
        .filter(row -> row.namespace().equals(namespace))
        .orElseThrow(() -> new Refused(404, "namespace '" + namespace + "' has no rollout " + id));
  }

  public Rollout pause(String namespace, long id, String who) {
    return act(namespace, id, r -> {
      requireState(r, "pause", Rollout.State.RUNNING);
      Rollout.Next n = r.next();
      n.state = Rollout.State.PAUSED;
      n.reason = "paused by " + who;
      return n.done();
    });
  }

  /** Continues a paused rollout from the namespace's dtab as it is now, changing only its dentry. */
  public Rollout resume(String namespace, long id, String who) {
    return act(namespace, id, r -> {
      requireState(r, "resume", Rollout.State.PAUSED);
      Rollout.Next n = r.next();
      n.state = Rollout.State.RUNNING;
      n.reason = "resumed by " + who;
      if (GATE.equals(r.phase())) {
        n.gatePassed = true;
        return commitStep(n.done(), r.step() + 1);
      }
      if (r.step() >= 0) {
        String expected = destination(r, r.weight());
        Optional<String> now = dentryNow(r);
        if (now.isPresent() && !now.get().equals(expected)) {
          throw new Refused(409, "a person changed " + r.spec().service() + " itself to " + now.get()
              + "; resuming would overwrite that, so abort this rollout or start a new one");
        }
      }
      return commitStep(n.done(), Math.max(0, r.step()));
    });
  }

  /** Sends all of the dentry's traffic to the canary now and ends the rollout as succeeded. */
  public Rollout promote(String namespace, long id, String who) {
    return act(namespace, id, r -> {
      requireActive(r, "promote");
      String why = "promoted to 100% by " + who;
      Rollout.Next n = commitDentry(r, r.spec().canary(), why).next();
      n.state = Rollout.State.SUCCEEDED;
      n.weight = 100;
      n.reason = why;
      n.phase = "";
      return n.done();
    });
  }

  /** Commits the dentry as it was before the rollout and ends it as aborted. */
  public Rollout abort(String namespace, long id, String who) {
    return act(namespace, id, r -> {
      requireActive(r, "abort");
      String why = "aborted by " + who;
      Rollout.Next n = commitDentry(r, r.stable(), why).next();
      n.state = Rollout.State.ABORTED;
      n.weight = 0;
      n.reason = why;
      n.phase = "";
      return n.done();
    });
  }

  // ---- the driver's own moves ----

  /** Moves every running rollout as far as the clock and the figures allow. */
  public void tick() {
    lock.lock();
    try {
      driving = table.lease(LEASE, self.get(), clock.instant(), LEASE_TTL);
      if (!driving) {
        return; // another control plane drives; this one takes over when its lease runs out
      }
      for (RolloutTable.Row row : table.active()) {
        Rollout r = read(row.detail());
        try {
          Rollout moved = move(r);
          if (!moved.equals(r) && !table.update(r.id(), row.revision(), moved.state().word(), write(moved),
              clock.instant())) {
            log.info("rollout {} changed while this tick moved it; the next tick reads it again", r.id());
          }
        } catch (StoreException e) {
          log.warn("rollout {} of '{}' could not move this time: {}", r.id(), r.namespace(), e.getMessage());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private Rollout move(Rollout r) {
    Optional<DtabVersion> current = store.current(r.namespace());
    if (current.isEmpty()) {
      return r.state() == Rollout.State.PAUSED ? r : paused(r, "namespace '" + r.namespace() + "' was deleted");
    }
    Optional<DtabVersion> person = personsCommit(r, current.get());
    if (person.isPresent()) {
      DtabVersion p = person.get();
      Rollout.Next n = r.next();
      n.knownVersion = current.get().version();
      if (r.state() == Rollout.State.PAUSED) {
        return n.done(); // already waiting for a person; resuming starts from their dtab
      }
      return paused(n.done(), "a person's commit (version " + p.version() + " by " + p.author()
          + ") changed '" + r.namespace() + "' during the rollout; resume to continue from their dtab");
    }
    if (current.get().version() > r.knownVersion()) {
      Rollout.Next n = r.next(); // other rollouts' commits: nothing of ours changed
      n.knownVersion = current.get().version();
      r = n.done();
    }
    if (r.state() != Rollout.State.RUNNING) {
      return r;
    }
    long now = clock.millis();
    if (CONVERGING.equals(r.phase())) {
      long version = r.versions().get(r.versions().size() - 1);
      Convergence.Seen seen = convergence.on(r.namespace(), version);
      if (seen.converged()) {
        Rollout.Next n = r.next();
        n.phase = OBSERVING;
        n.phaseSinceMillis = now;
        n.window = Rollout.Window.startingAt(now);
        int last = n.steps.size() - 1;
        n.steps.set(last, n.steps.get(last).withStale(seen.stale()));
        return n.done();
      }
      if (now - r.phaseSinceMillis() >= CONVERGE_WITHIN.toMillis()) {
        return paused(r, "the fleet did not route by version " + version + " within "
            + CONVERGE_WITHIN.toSeconds() + " s; still behind: " + String.join(", ", seen.waitingFor()));
      }
      return r;
    }
    if (OBSERVING.equals(r.phase())) {
      return observe(r, now);
    }
    return r;
  }

  private Rollout observe(Rollout r, long now) {
    Rollout.Window w = r.window();
    if (now - w.lastSampleMillis() >= SAMPLE_EVERY.toMillis()) {
      Resolved on = resolved(r);
      if (on.problem().isPresent()) {
        return paused(r, on.problem().get() + " at step " + (r.step() + 1) + ", " + r.weight() + "%");
      }
      w = w.plus(figures.ofAll(r.namespace(), r.spec().service(), on.canary()),
          figures.ofAll(r.namespace(), r.spec().service(), on.stable()), now);
      Rollout.Next n = r.next();
      n.window = w;
      r = n.done();
    }
    long elapsed = now - r.phaseSinceMillis();
    long stepMillis = r.spec().stepSeconds() * 1000L;
    if (elapsed < stepMillis || w.lastSampleMillis() == r.phaseSinceMillis()) {
      return r;
    }
    Optional<String> failed;
    if (w.requests() >= r.spec().minRequests()) {
      failed = verdict(r, w);
    } else {
      failed = starved(r, w);
      if (failed.isEmpty()) {
        if (elapsed >= TRAFFIC_PATIENCE * stepMillis) {
          return paused(r, "not enough traffic to judge (" + w.requests() + " of " + r.spec().minRequests()
              + " requests)");
        }
        return r;
      }
    }
    Rollout.Next n = r.next();
    int last = n.steps.size() - 1;
    n.steps.set(last, n.steps.get(last).judged(failed.orElse("passed"), w));
    r = n.done();
    if (failed.isPresent()) {
      return rollBack(r, failed.get());
    }
    if (r.weight() >= 100) {
      Rollout.Next done = r.next();
      done.state = Rollout.State.SUCCEEDED;
      done.phase = "";
      done.reason = "every step passed";
      log.info("rollout {} of {} in '{}' succeeded", r.id(), r.spec().service(), r.namespace());
      return done.done();
    }
    return commitStep(r, r.step() + 1);
  }

  /**
   * Why a canary with too few requests to judge on its figures is failing all the same, if it is: in
   * the window, failure accrual had every one of its endpoints out of rotation, or it took (almost)
   * none of the traffic its weight should bring while the stable took plenty (it binds to nothing, or
   * its requests fail before reaching it). Empty when it is merely short of traffic.
   */
  private static Optional<String> starved(Rollout r, Rollout.Window w) {
    RolloutSpec s = r.spec();
    String where = String.format(Locale.ROOT, " at step %d, %d%%", r.step() + 1, r.weight());
    if (w.ejectedAll() > 0) {
      return Optional.of("canary " + s.canary() + " has no live endpoint: all " + w.ejectedAll()
          + " ejected by failure accrual" + where);
    }
    if (r.weight() < 100) {
      long expected = Math.round((double) w.stableRequests() * r.weight() / (100 - r.weight()));
      if (expected >= s.minRequests() && w.requests() * 10 < expected) {
        return Optional.of("canary " + s.canary() + " took " + w.requests() + " requests while the stable took "
            + w.stableRequests() + " (its share would be about " + expected + "): it has no live endpoint or binds"
            + " to nothing" + where);
      }
    }
    return Optional.empty();
  }

  /** Why the window fails the guardrails, naming the figure, the threshold and the step. */
  private static Optional<String> verdict(Rollout r, Rollout.Window w) {
    RolloutSpec s = r.spec();
    String where = String.format(Locale.ROOT, " over %d requests at step %d, %d%%", w.requests(), r.step() + 1,
        r.weight());
    if (w.successRate() < s.minSuccessRate()) {
      return Optional.of("success rate " + percent(w.successRate()) + " < " + percent(s.minSuccessRate()) + where);
    }
    if (w.p99Ms() > s.maxP99Ms()) {
      return Optional.of(String.format(Locale.ROOT, "p99 %.0f ms > %.0f ms", w.p99Ms(), s.maxP99Ms()) + where);
    }
    if (s.maxP99Ratio() > 0 && w.stableP99Ms() > 0 && w.p99Ms() > s.maxP99Ratio() * w.stableP99Ms()) {
      return Optional.of(String.format(Locale.ROOT, "p99 %.0f ms > %.1f x the stable's %.0f ms", w.p99Ms(),
          s.maxP99Ratio(), w.stableP99Ms()) + where);
    }
    return Optional.empty();
  }

  /** 0.912 as {@code 91.2%}, 0.99 as {@code 99%}. */
  static String percent(double fraction) {
    String s = String.format(Locale.ROOT, "%.1f", fraction * 100);
    return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "%";
  }

  private Rollout rollBack(Rollout r, String why) {
    Rollout.Next n = commitDentry(r, r.stable(), "rolled back: " + why).next();
    n.state = Rollout.State.ROLLED_BACK;
    n.weight = 0;
    n.reason = why;
    n.phase = "";
    log.warn("rollout {} of {} in '{}' rolled back: {}", r.id(), r.spec().service(), r.namespace(), why);
    return n.done();
  }

  /**
   * Commits step {@code index} (or stops at the manual gate before it), on the namespace's dtab as it
   * is now: a person's change elsewhere in it stays.
   */
  private Rollout commitStep(Rollout r, int index) {
    int percent = r.spec().steps().get(index);
    if (percent == r.spec().gateBefore() && !r.gatePassed()) {
      Rollout.Next n = r.next();
      n.state = Rollout.State.PAUSED;
      n.phase = GATE;
      n.step = index - 1;
      n.reason = "waiting at the manual gate before step " + (index + 1) + ", " + percent
          + "%: resume or promote to go on";
      return n.done();
    }
    String dst = destination(r, percent);
    String comment = "step " + (index + 1) + " of " + r.spec().steps().size() + ": " + percent + "% of "
        + r.spec().service() + " to " + r.spec().canary();
    Rollout committed = commitDentry(r, dst, comment);
    Rollout.Next n = committed.next();
    n.step = index;
    n.weight = percent;
    n.phase = CONVERGING;
    n.phaseSinceMillis = clock.millis();
    n.window = Rollout.Window.EMPTY;
    long version = n.versions.get(n.versions.size() - 1);
    n.steps.add(new Rollout.StepRecord(index + 1, percent, version, List.of(), "pending", Rollout.Window.EMPTY));
    return n.done();
  }

  /**
   * Commits the namespace's current dtab with the rollout's dentry pointing at {@code dst}, unless it
   * already does; records the version either way.
   */
  private Rollout commitDentry(Rollout r, String dst, String comment) {
    DtabVersion current = existing(r.namespace());
    int index = dentryIndex(current, r.spec().service())
        .orElseThrow(() -> new Refused(409, "the dentry " + r.spec().service() + " is no longer in '"
            + r.namespace() + "'"));
    String text = current.text();
    DraftText.Span span = DraftText.checkedSpans(text).get(index);
    Rollout.Next n = r.next();
    if (text.substring(span.dstStart(), span.dstEnd()).equals(dst)) {
      n.knownVersion = current.version();
      if (n.versions.isEmpty() || n.versions.get(n.versions.size() - 1) != current.version()) {
        n.versions.add(current.version());
      }
      return n.done();
    }
    String updated = text.substring(0, span.dstStart()) + dst + text.substring(span.dstEnd());
    DtabVersion v = store.update(r.namespace(), dev.turnout.store.DtabText.read(updated),
        Optional.of(current.etag()), AUTHOR_PREFIX + r.id(), "rollout " + r.id() + " " + comment);
    log.info("rollout {} committed version {} of '{}': {}", r.id(), v.version(), r.namespace(), comment);
    n.knownVersion = v.version();
    n.versions.add(v.version());
    return n.done();
  }

  private Rollout paused(Rollout r, String why) {
    Rollout.Next n = r.next();
    n.state = Rollout.State.PAUSED;
    n.reason = why;
    int last = n.steps.size() - 1;
    if (last >= 0 && "pending".equals(n.steps.get(last).verdict())) {
      n.steps.set(last, n.steps.get(last).judged("paused: " + why, r.window()));
    }
    log.warn("rollout {} of {} in '{}' paused: {}", r.id(), r.spec().service(), r.namespace(), why);
    return n.done();
  }

  /** The first version after the one the rollout knows whose author is not a rollout. */
  private Optional<DtabVersion> personsCommit(Rollout r, DtabVersion current) {
    for (long v = r.knownVersion() + 1; v <= current.version(); v++) {
      Optional<DtabVersion> found = store.version(r.namespace(), v);
      if (found.isPresent() && !found.get().author().startsWith(AUTHOR_PREFIX)) {
        return found;
      }
    }
    return Optional.empty();
  }

  // ---- helpers ----

  private interface Action {
    Rollout apply(Rollout r);
  }

  private Rollout act(String namespace, long id, Action action) {
    lock.lock();
    try {
      RolloutTable.Row row = row(namespace, id);
      return save(action.apply(read(row.detail())), row.revision());
    } finally {
      lock.unlock();
    }
  }

  private static void requireState(Rollout r, String verb, Rollout.State wanted) {
    if (r.state() != wanted) {
      throw new Refused(409, "rollout " + r.id() + " is " + r.state().word() + "; only a " + wanted.word()
          + " one can " + verb);
    }
  }

  private static void requireActive(Rollout r, String verb) {
    if (!r.state().active()) {
      throw new Refused(409, "rollout " + r.id() + " is " + r.state().word() + " already; cannot " + verb);
    }
  }

  private Rollout save(Rollout r, long revision) {
    if (!table.update(r.id(), revision, r.state().word(), write(r), clock.instant())) {
      throw new Refused(409, "rollout " + r.id() + " changed meanwhile; read it again and retry");
    }
    return r;
  }

  /** Whether this control plane held the driver lease at its last tick. */
  public boolean driving() {
    return driving;
  }

  /** The control plane that drives the rollouts now (holds the lease), if any does. */
  public Optional<String> driver() {
    return table.holder(LEASE, clock.instant());
  }

  private DtabVersion existing(String namespace) {
    checkName(namespace);
    return store.current(namespace)
        .orElseThrow(() -> new Refused(404, "namespace '" + namespace + "' does not exist"));
  }

  private static void checkName(String namespace) {
    if (!Namespaces.isValid(namespace)) {
      throw new Refused(404, "namespace '" + namespace + "' does not exist");
    }
  }

  /** The last dentry whose prefix is {@code service} (a later dentry wins, so it is the one in force). */
  static Optional<Integer> dentryIndex(DtabVersion v, String service) {
    Prefix wanted = Prefix.read(service);
    List<Dentry> dentries = v.dtab().dentries();
    for (int i = dentries.size() - 1; i >= 0; i--) {
      if (dentries.get(i).prefix().equals(wanted)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** The dentry's destination at {@code percent}: {@code 95 * STABLE & 5 * CANARY}, or the canary at 100. */
  private static String destination(Rollout r, int percent) {
    return percent >= 100 ? r.spec().canary()
        : (100 - percent) + " * " + grouped(r.stable()) + " & " + percent + " * " + r.spec().canary();
  }

  /** The rollout's dentry's destination as the namespace has it now, if the dentry is there. */
  private Optional<String> dentryNow(Rollout r) {
    DtabVersion current = existing(r.namespace());
    return dentryIndex(current, r.spec().service()).map(i -> {
      DraftText.Span span = DraftText.checkedSpans(current.text()).get(i);
      return current.text().substring(span.dstStart(), span.dstEnd());
    });
  }

  /** A stable written with {@code |} or {@code &} in it needs brackets to stay one branch of the union. */
  private static String grouped(String tree) {
    return tree.contains("|") || tree.contains("&") ? "(" + tree + ")" : tree;
  }

  /**
   * The bound ids whose figures are the canary's and the stable's, or why the rollout cannot be
   * judged on them (then the lists are empty).
   */
  private record Resolved(List<String> canary, List<String> stable, Optional<String> problem) {}

  /**
   * The canary and the stable resolved under the dtab of the step's version: the canary's own ids
   * (those the stable reaches too are the stable's: their figures cannot be told apart), the stable's.
   */
  private Resolved resolved(Rollout r) {
    long version = r.versions().isEmpty() ? r.knownVersion() : r.versions().get(r.versions().size() - 1);
    Optional<DtabVersion> dtab = store.version(r.namespace(), version).or(() -> store.current(r.namespace()));
    if (dtab.isEmpty()) {
      return new Resolved(List.of(), List.of(), Optional.of("namespace '" + r.namespace() + "' was deleted"));
    }
    Destinations.Resolution canary = destinations.of(r.namespace(), dtab.get().dtab(), r.spec().canary());
    Destinations.Resolution stable = destinations.of(r.namespace(), dtab.get().dtab(), r.stable());
    String under = " under version " + dtab.get().version();
    if (canary.none()) {
      return new Resolved(List.of(), List.of(), Optional.of("the canary " + r.spec().canary()
          + " routes to no destination" + under + ": " + canary.why()));
    }
    List<String> own = canary.ids().stream().filter(id -> !stable.ids().contains(id)).toList();
    if (own.isEmpty()) {
      return new Resolved(List.of(), List.of(), Optional.of("the canary " + r.spec().canary()
          + " reaches only the stable's " + String.join(", ", canary.ids()) + under
          + ", so its figures cannot be told from the stable's"));
    }
    if (stable.none() && r.weight() < 100) {
      return new Resolved(List.of(), List.of(), Optional.of("the stable " + r.stable()
          + " routes to no destination" + under + ": " + stable.why()));
    }
    return new Resolved(own, stable.ids(), Optional.empty());
  }

  /**
   * Why a rollout to {@code canary} could not be judged if started on {@code current}: the canary
   * resolves to no destination, or only to the stable's.
   */
  private Optional<String> unjudgeable(String namespace, DtabVersion current, String canary, String stable) {
    Destinations.Resolution to = destinations.of(namespace, current.dtab(), canary);
    String under = " in '" + namespace + "' (version " + current.version() + ")";
    if (to.none()) {
      return Optional.of("the canary " + canary + " routes to no destination" + under + ": " + to.why()
          + "; its figures could not be found");
    }
    Destinations.Resolution from = destinations.of(namespace, current.dtab(), stable);
    if (from.ids().containsAll(to.ids())) {
      return Optional.of("the canary " + canary + " reaches only the stable's " + String.join(", ", to.ids())
          + under + ", so its figures could not be told from the stable's");
    }
    return Optional.empty();
  }

  static String write(Rollout r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write rollout " + r.id(), e);
    }
  }

  static Rollout read(String detail) {
    try {
      return JSON.readValue(detail, Rollout.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot read a stored rollout: " + e.getMessage(), e);
    }
  }
}
