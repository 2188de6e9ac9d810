package dev.turnout.naming.serversets;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.NameSetChanges;
import dev.turnout.naming.NamerStatus;
import dev.turnout.naming.Var;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linkerd's {@code io.l5d.serversets}: ZooKeeper serversets, read through Apache Curator. {@code
 * /#/io.l5d.serversets/discovery/prod/users} binds to the {@code member_} znodes under {@code
 * /discovery/prod/users} of the ensemble the namer was configured with ({@code zkAddrs}); a last label
 * {@code users:http} takes each member's additional endpoint {@code http}, {@code users#2} only shard 2
 * (see {@link ServersetPath}). Only {@code ALIVE} members serve (see {@link Member}).
 *
 * <p>As in Linkerd, a name whose znode has no serving member falls back to its longest prefix that has
 * one, the rest becoming the residual: with members under {@code /discovery/prod/users}, {@code
 * /discovery/prod/users/v1/get} binds to it with residual {@code /v1/get}. No such prefix is Neg. A label
 * that cannot be part of a serverset name (bad job syntax, {@code .}, {@code ..}) binds to an {@link
 * Addr.Failed} saying why, which the proxy's {@code l5d-err} shows.
 *
 * <p>{@link #lookup} answers from memory. A znode first asked about is {@link Addr.Pending} until
 * ZooKeeper answers (its shorter forms are asked about at once, should it prove empty); the namer then
 * watches it (children and each member's data) on its own thread and Curator's, updating the same
 * {@link Var} in place, so routers follow members without rebinding. A listing reads only the members
 * neither known nor being read already, all at once in the background, and the set is published when
 * that listing's reads are in (members that left go with it): a registry replacing every member keeps
 * publishing listing by listing rather than waiting for a quiet moment.
 * Whether a znode serves at all moves bindings, so it bumps {@link #generation()}. While the connection
 * to ZooKeeper is lost, every name keeps the members it had and {@link #status()} says {@code stale};
 * on reconnection (a new session included) every watched znode is read again. A member whose data turns
 * into garbage keeps its last good reading, and the error is reported.
 *
 * <p>Why one class of this size: the watched znodes and the selections built on them are touched on
 * the namer's loop thread only, and connection, watch and read handling all change them; names ({@link
 * ServersetPath}) and member data ({@link Member}) are read apart.
 */
public final class ServersetNamer implements Namer, Closeable {
  /** Where Linkerd mounts this namer unless told otherwise. */
  public static final Path DEFAULT_PREFIX = Path.of("#", "io.l5d.serversets");
  /** Finagle's zk2 session timeout. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);
  /** Serversets watched at most; names past it are Failed rather than growing without bound. */
  static final int MAX_WATCHED = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ServersetNamer.class);
  private static final String MEMBER_PREFIX = "member_";
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final String connectString;
  private final Path mountPrefix;
  private final Clock clock;
  private final CuratorFramework zk;
  /** The namer's own thread: every ZooKeeper answer and watch event is handled here, one at a time. */
  private final ExecutorService loop;
  private final NameSetChanges changes = new NameSetChanges("the serversets namer");
  /** One per serverset asked for, for the namer's life; read by lookups on any thread. */
  private final Map<ServersetPath, Selection> selections = new ConcurrentHashMap<>();
  /** Watched znodes by path; touched only on {@link #loop}. */
  private final Map<String, Node> nodes = new HashMap<>();

  private volatile boolean connected;
  private volatile boolean closed;
  private volatile Instant lastUpdate;
  private volatile String lastError;

  /** A serverset asked for, and its live endpoints. */
  private static final class Selection {
    final ServersetPath path;
    final Var<Addr> addr = new Var<>(new Addr.Pending());

    Selection(ServersetPath path) {
      this.path = path;
    }
  }

  /**
   * The member reads one listing (or one data change) started; when the last is in, the node's set
   * is published with them. Batches are counted apart, so a registry that keeps changing, listing
   * after listing, never holds back the members of a listing already read.
   */
  private static final class Batch {
    int left;
  }

  /** A watched znode: whether it exists and its members as last read. Touched only on the loop. */
  private final class Node {
    final String path;
    final List<Selection> selections = new ArrayList<>();
    final Map<String, Member> members = new HashMap<>();
    /** The member names of the latest listing: a late read of a member since gone is dropped. */
    Set<String> listed = Set.of();
    /** Members whose read is in flight: a later listing leaves them to the batch that asked. */
    final Set<String> reading = new HashSet<>();
    /** Whether ZooKeeper has answered enough for a set to be published (a listing and its reads). */
    boolean answered;
    boolean exists;
    final Watcher childWatcher = e -> onLoop(() -> childEvent(this, e));
    final Watcher dataWatcher = e -> onLoop(() -> dataEvent(this, e));

    Node(String path) {
      this.path = path;
    }

    String child(String name) {
      return path.equals("/") ? "/" + name : path + "/" + name;
    }
  }

  /** Serves the ensemble {@code connectString} ({@code host:port,host:port}) under {@link #DEFAULT_PREFIX}. */
  public ServersetNamer(String connectString) {
    this(connectString, DEFAULT_PREFIX, DEFAULT_SESSION_TIMEOUT, Clock.systemUTC());
  }

  /**
   * @param connectString the ensemble, {@code host:port,host:port}
   * @param mountPrefix where the namer is mounted, the start of every bound id
   * @param sessionTimeout the ZooKeeper session timeout asked for
   * @param clock stamps {@link NamerStatus#lastUpdate()}
   */
  public ServersetNamer(String connectString, Path mountPrefix, Duration sessionTimeout, Clock clock) {
    if (connectString == null || connectString.isBlank()) {
      throw new IllegalArgumentException("a serversets namer needs ZooKeeper addresses");
    }
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException("sessionTimeout must be positive, not " + sessionTimeout);
    }
    this.connectString = connectString;
    this.mountPrefix = mountPrefix;
    this.clock = clock;
    int n = INSTANCES.incrementAndGet();
    this.loop =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "turnout-serversets-" + n);
              t.setDaemon(true);
              return t;
            });
    this.zk =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs((int) sessionTimeout.toMillis())
            .connectionTimeoutMs((int) Math.min(sessionTimeout.toMillis(), 5_000))
            .retryPolicy(new ExponentialBackoffRetry(100, 5, 2_000))
            .threadFactory(
                r -> {
                  Thread t = new Thread(r, "turnout-serversets-" + n + "-curator");
                  t.setDaemon(true);
                  return t;
                })
            .build();
    zk.getConnectionStateListenable().addListener((client, state) -> connectionChanged(state), loop);
    zk.start();
  }

  /** The prefix bound ids start with. */
  public Path mountPrefix() {
    return mountPrefix;
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    for (int k = path.size(); k >= 0; k--) {
      Path name = path.take(k);
      Path residual = path.drop(k);
      Path id = mountPrefix.concat(name);
      ServersetPath.Parsed parsed = ServersetPath.parse(name);
      if (parsed instanceof ServersetPath.Parsed.Invalid bad) {
        // Finagle fails the whole lookup here, without trying shorter prefixes.
        return leaf(id, residual, new Var<>(new Addr.Failed("invalid serverset name " + id.show() + ": " + bad.why())));
      }
      ServersetPath wanted = ((ServersetPath.Parsed.Ok) parsed).path();
      Selection s = selections.get(wanted);
      if (s == null) {
        if (selections.size() >= MAX_WATCHED) {
          return leaf(
              id, residual,
              new Var<>(new Addr.Failed("the serversets namer already watches " + MAX_WATCHED + " serversets; "
                  + id.show() + " is not watched")));
        }
        s = selections.computeIfAbsent(wanted, this::startWatching);
      }
      Addr now = s.addr.get();
      if (now instanceof Addr.Pending) {
        // Should this one turn out empty, the shorter forms are asked next: ask about them now, so
        // rebinding falls back in one round trip rather than one per label.
        watchPrefixes(path.take(k));
      }
      if (!(now instanceof Addr.Neg)) {
        return leaf(id, residual, s.addr);
      }
    }
    return NameTree.neg();
  }

  /** Each serverset asked for, by its name under the mount ({@code /#/io.l5d.serversets/discovery/users:http}). */
  @Override
  public Map<Path, Addr> names() {
    Map<Path, Addr> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Path::show));
    for (Selection sel : selections.values()) {
      ServersetPath sp = sel.path;
      List<String> labels = new ArrayList<>();
      for (String l : sp.zkPath().split("/")) {
        if (!l.isEmpty()) {
          labels.add(l);
        }
      }
      if (!labels.isEmpty()) {
        int last = labels.size() - 1;
        String job = labels.get(last) + sp.endpoint().map(e -> ":" + e).orElse("")
            + (sp.shard().isPresent() ? "#" + sp.shard().getAsInt() : "");
        labels.set(last, job);
      }
      out.put(mountPrefix.concat(Path.utf8(labels.toArray(String[]::new))), sel.addr.get());
    }
    return out;
  }

  private void watchPrefixes(Path name) {
    for (int k = name.size() - 1; k >= 0 && selections.size() < MAX_WATCHED; k--) {
      if (ServersetPath.parse(name.take(k)) instanceof ServersetPath.Parsed.Ok ok) {
        selections.computeIfAbsent(ok.path(), this::startWatching);
      } else {
        return;
      }
    }
  }

  private static NameTree<Name> leaf(Path id, Path residual, Var<Addr> addr) {
    return NameTree.leaf(new Name.Resolved(new BoundName(id, residual, addr)));
  }

  /** A new selection, Pending, handed to the loop to watch. */
  private Selection startWatching(ServersetPath path) {
    Selection s = new Selection(path);
    onLoop(() -> attach(s));
    return s;
  }

  @Override
  public long generation() {
    return changes.generation();
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    return changes.onChange(listener);
  }

  @Override
  public Optional<NamerStatus> status() {
    return Optional.of(
        new NamerStatus(
            "zookeeper " + connectString, Optional.ofNullable(lastUpdate), Optional.ofNullable(lastError), !connected));
  }

  /** Stops watching and closes the ZooKeeper session; bound names keep their last endpoints. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      zk.close();
    } finally {
      loop.shutdownNow();
    }
  }

  // ---- everything below runs on the loop ----

  private void onLoop(Runnable task) {
    if (closed) {
      return;
    }
    try {
      loop.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.warn("serversets namer ({}): {}", connectString, e.toString());
            }
          });
    } catch (RejectedExecutionException closing) {
      // closed meanwhile: nothing more to watch
    }
  }

  private void attach(Selection s) {
    Node node = nodes.get(s.path.zkPath());
    boolean fresh = node == null;
    if (fresh) {
      node = new Node(s.path.zkPath());
      nodes.put(node.path, node);
    }
    node.selections.add(s);
    if (fresh) {
      listChildren(node, false);
    } else if (node.answered) {
      if (update(s, node)) {
        changed();
      }
    }
  }

  private void connectionChanged(ConnectionState state) {
    switch (state) {
      case CONNECTED, RECONNECTED, READ_ONLY -> {
        connected = true;
        LOG.info("serversets namer: {} to ZooKeeper {}", state, connectString);
        // Watches do not outlive a session, and what changed while away was not seen: read all again.
        for (Node node : nodes.values()) {
          listChildren(node, true);
        }
      }
      case SUSPENDED, LOST -> {
        connected = false;
        lastError =
            "connection to ZooKeeper " + connectString + " " + (state == ConnectionState.LOST ? "lost (session ended)" : "suspended")
                + "; names keep their last members";
        LOG.warn("serversets namer: {}", lastError);
      }
    }
  }

  /** Reads {@code node}'s children, watching them; with {@code rereadAll}, every member's data too. */
  private void listChildren(Node node, boolean rereadAll) {
    call(
        () -> zk.getChildren().usingWatcher(node.childWatcher).inBackground((c, e) -> children(node, e, rereadAll), loop).forPath(node.path),
        node.path);
  }

  private void children(Node node, CuratorEvent e, boolean rereadAll) {
    KeeperException.Code rc = KeeperException.Code.get(e.getResultCode());
    if (rc == KeeperException.Code.NONODE) {
      heard();
      node.exists = false;
      node.members.clear();
      node.listed = Set.of();
      node.answered = true;
      publish(node);
      // Learn when it is made: an exists watch fires on creation.
      call(
          () -> zk.checkExists().usingWatcher(node.childWatcher).inBackground((c, ev) -> existence(node, ev), loop).forPath(node.path),
          node.path);
      return;
    }
    if (rc != KeeperException.Code.OK) {
      failed("listing " + node.path, rc);
      return;
    }
    heard();
    node.exists = true;
    Set<String> names = new HashSet<>();
    for (String child : e.getChildren()) {
      if (child.startsWith(MEMBER_PREFIX)) {
        names.add(child);
      }
    }
    boolean left = node.members.keySet().retainAll(names);
    node.listed = names;
    Batch batch = new Batch();
    for (String name : names) {
      if (rereadAll || (!node.members.containsKey(name) && !node.reading.contains(name))) {
        readMember(node, name, batch);
      }
    }
    if (batch.left == 0 && (left || !node.answered)) {
      node.answered = true;
      publish(node);
    }
  }

  private void existence(Node node, CuratorEvent e) {
    KeeperException.Code rc = KeeperException.Code.get(e.getResultCode());
    if (rc == KeeperException.Code.OK && e.getStat() != null) {
      listChildren(node, false);
    } else if (rc != KeeperException.Code.OK && rc != KeeperException.Code.NONODE) {
      failed("checking " + node.path, rc);
    }
  }

  private void readMember(Node node, String name, Batch batch) {
    batch.left++;
    node.reading.add(name);
    String path = node.child(name);
    boolean started =
        call(
            () -> zk.getData().usingWatcher(node.dataWatcher).inBackground((c, e) -> memberData(node, name, e, batch), loop).forPath(path),
            path);
    if (!started) {
      batch.left--;
      node.reading.remove(name);
    }
  }

  private void memberData(Node node, String name, CuratorEvent e, Batch batch) {
    batch.left--;
    node.reading.remove(name);
    KeeperException.Code rc = KeeperException.Code.get(e.getResultCode());
    if (rc == KeeperException.Code.OK && !node.listed.contains(name)) {
      heard();
    } else if (rc == KeeperException.Code.OK) {
      heard();
      try {
        node.members.put(name, Member.parse(e.getData()));
      } catch (IllegalArgumentException garbage) {
        lastError = node.child(name) + " is not a serverset member: " + garbage.getMessage()
            + (node.members.containsKey(name) ? "; keeping its last reading" : "; left out");
        LOG.warn("serversets namer: {}", lastError);
      }
    } else if (rc == KeeperException.Code.NONODE) {
      heard();
      node.members.remove(name);
    } else {
      failed("reading " + node.child(name), rc);
    }
    if (batch.left == 0) {
      node.answered = true;
      publish(node);
    }
  }

  private void childEvent(Node node, WatchedEvent e) {
    if (e.getType() != Watcher.Event.EventType.None) {
      listChildren(node, false);
    }
  }

  private void dataEvent(Node node, WatchedEvent e) {
    if (e.getType() == Watcher.Event.EventType.NodeDataChanged && e.getPath() != null) {
      String name = e.getPath().substring(e.getPath().lastIndexOf('/') + 1);
      // listed: a member left out for garbage data is read again when its data changes
      if (node.listed.contains(name)) {
        readMember(node, name, new Batch());
      }
    }
  }

  /** Sets every selection of {@code node} from its members; a change of what binds bumps the generation. */
  private void publish(Node node) {
    boolean bindingsMoved = false;
    for (Selection s : node.selections) {
      bindingsMoved |= update(s, node);
    }
    if (bindingsMoved) {
      changed();
    }
  }

  /** Updates {@code s}; true when it went to or from Neg, which changes what a lookup binds. */
  private boolean update(Selection s, Node node) {
    Addr before = s.addr.get();
    Addr now = addrOf(s.path, node);
    s.addr.set(now);
    return (before instanceof Addr.Neg) != (now instanceof Addr.Neg);
  }

  private static Addr addrOf(ServersetPath path, Node node) {
    if (!node.answered) {
      return new Addr.Pending();
    }
    // A set, sorted: two members announcing one address count once, and equal sets compare equal.
    TreeSet<Address> serving = new TreeSet<>(Comparator.comparing(Address::host).thenComparingInt(Address::port));
    for (Member m : node.members.values()) {
      m.serving(path).ifPresent(serving::add);
    }
    return serving.isEmpty() ? new Addr.Neg() : new Addr.Bound(List.copyOf(serving));
  }

  private void changed() {
    changes.changed();
  }

  private void heard() {
    lastUpdate = clock.instant();
    if (connected) {
      lastError = null;
    }
  }

  private void failed(String what, KeeperException.Code rc) {
    // Connection trouble is followed by a reconnection, which reads everything again.
    if (rc != KeeperException.Code.CONNECTIONLOSS && rc != KeeperException.Code.SESSIONEXPIRED) {
      lastError = what + " failed: " + rc;
      LOG.warn("serversets namer: {}", lastError);
    }
  }

  private interface ZkCall {
    void run() throws Exception;
  }

  /** Starts a background ZooKeeper call; false (and the error noted) when it could not be started. */
  private boolean call(ZkCall c, String path) {
    if (closed) {
      return false;
    }
    try {
      c.run();
      return true;
    } catch (Exception e) {
      lastError = "cannot ask ZooKeeper about " + path + ": " + e;
      LOG.warn("serversets namer: {}", lastError);
      return false;
    }
  }
}
