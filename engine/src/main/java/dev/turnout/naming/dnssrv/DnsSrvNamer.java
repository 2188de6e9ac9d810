package dev.turnout.naming.dnssrv;

import dev.turnout.config.NamerConfig.DnsServer;
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
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Linkerd's {@code io.l5d.dnssrv}: {@code /#/io.l5d.dnssrv/_http._tcp.users.example.org/rest} binds the
 * SRV name {@code _http._tcp.users.example.org} (id {@code /#/io.l5d.dnssrv/_http._tcp.users.example.org},
 * residual {@code /rest}), its endpoints the SRV targets' addresses and ports, chosen and weighted as
 * RFC 2782 says ({@link SrvSelection}). The label is an absolute DNS name: no search list is applied.
 *
 * <p>DNS is asked through dnsjava's asynchronous resolver, at the configured servers ({@code HOST} or
 * {@code HOST:PORT}) or the system's. A name's first lookup starts when it is first looked up (the
 * answer is {@link Addr.Pending} until then) and every name is asked again each {@code refreshInterval},
 * on this namer's own thread; {@link #lookup} answers from memory. A target's addresses come from the
 * answer's additional section when the server put them there, else from A and AAAA queries to the same
 * servers.
 *
 * <p>dnsjava rather than the JDK's JNDI DNS provider (which can also reach {@code dns://host:port}):
 * its answers keep the response code (NXDOMAIN, SERVFAIL and a timeout must be told apart) and the
 * additional section (targets' addresses without a query each), its resolver is asynchronous (one
 * thread follows many names), and it is what Linkerd 1's namer used.
 *
 * <p>What each answer does to a name:
 *
 * <ul>
 *   <li>NXDOMAIN, no SRV records (NODATA), or records none of whose targets exist: the name is
 *       {@link Addr.Neg}, and {@link #lookup} answers Neg, so an Alt falls back, as Linkerd's namer did.
 *   <li>Records with reachable targets: the name is {@link Addr.Bound}, the same {@link Var} updated in
 *       place, so routers follow without rebinding.
 *   <li>A timeout, SERVFAIL or any other error, or garbage: the name keeps its last answer and the namer
 *       reports itself {@link NamerStatus#stale() stale} with the error; a name never answered is {@link
 *       Addr.Failed} with the reason, which the proxy's {@code l5d-err} shows.
 *   <li>A label that is not a DNS name is {@link Addr.Failed}, saying why, and is never sent to DNS.
 * </ul>
 *
 * <p>Why one class of this size: the followed names, the resolver and the refresh schedule are touched
 * on the namer's own thread only, and lookup, refresh and answer all work on them; what needs none of
 * that is apart ({@link SrvSelection}, RFC 2782's choice; {@link OneShotTcp}, answers too big for UDP).
 */
public final class DnsSrvNamer implements Namer, Closeable {
  /** Where Linkerd mounts this namer unless told otherwise. */
  public static final Path DEFAULT_PREFIX = Path.of("#", "io.l5d.dnssrv");

  /** Linkerd's {@code refreshIntervalSeconds} default. */
  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

  /** How long one server has to answer one query before the next is tried. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(3);

  /** Names followed at once; a request naming one more is answered with a failure, not a new watch. */
  static final int MAX_NAMES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(DnsSrvNamer.class);

  private final Path mountPrefix;
  private final List<DnsServer> servers;
  private final Duration queryTimeout;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  /** Blocking TCP exchanges for answers too big for a datagram ({@link OneShotTcp}). */
  private final java.util.concurrent.ExecutorService tcpThread;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final NameSetChanges changes = new NameSetChanges("the dnssrv namer");

  /** Built on the namer's thread, as naming a server by host name needs a lookup. */
  private Resolver resolver;

  private volatile Instant lastAnswer;

  /** One SRV name followed for the namer's life. Fields other than the volatile ones: namer thread only. */
  private static final class Entry {
    final String label;
    final org.xbill.DNS.Name dnsName;
    final Var<Addr> addr = new Var<>(new Addr.Pending());
    /** Whether {@link #lookup} answers Neg for this name. */
    volatile boolean negative;
    /** The last refresh's failure, null when it was answered. */
    volatile String error;

    volatile Instant errorAt;
    boolean inFlight;
    /** Each target's addresses at the last answer, kept for a target whose lookup fails next time. */
    Map<String, List<InetAddress>> lastTargets = Map.of();

    Entry(String label, org.xbill.DNS.Name dnsName) {
      this.label = label;
      this.dnsName = dnsName;
    }
  }

  /**
   * @param mountPrefix where the namer is mounted, the start of every bound id
   * @param servers the DNS servers to ask, in order; empty for the system's
   * @param refreshInterval how often every followed name is asked again
   * @param queryTimeout how long one server has to answer one query
   * @param clock for the times {@link #status()} reports
   */
  public DnsSrvNamer(
      Path mountPrefix, List<DnsServer> servers, Duration refreshInterval, Duration queryTimeout, Clock clock) {
    if (refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new IllegalArgumentException("refreshInterval must be positive, not " + refreshInterval);
    }
    if (queryTimeout.isNegative() || queryTimeout.isZero()) {
      throw new IllegalArgumentException("queryTimeout must be positive, not " + queryTimeout);
    }
    this.mountPrefix = mountPrefix;
    this.servers = List.copyOf(servers);
    this.queryTimeout = queryTimeout;
    this.clock = clock;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "turnout-dnssrv " + mountPrefix.show());
              t.setDaemon(true);
              return t;
            });
    this.tcpThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "turnout-dnssrv-tcp " + mountPrefix.show());
              t.setDaemon(true);
              return t;
            });
    long millis = refreshInterval.toMillis();
    thread.scheduleWithFixedDelay(this::refreshAll, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    if (path.isEmpty()) {
      return NameTree.neg();
    }
    String label = path.label(0);
    Path id = mountPrefix.concat(path.take(1));
    Path residual = path.drop(1);
    Entry e = entries.get(label);
    if (e == null) {
      org.xbill.DNS.Name dnsName;
      try {
        dnsName = dnsName(label);
      } catch (IllegalArgumentException bad) {
        return failed(id, residual, bad.getMessage());
      }
      if (entries.size() >= MAX_NAMES) {
        return failed(id, residual, "io.l5d.dnssrv already follows " + MAX_NAMES + " names; " + label + " is not looked up");
      }
      Entry made = new Entry(label, dnsName);
      e = entries.putIfAbsent(label, made);
      if (e == null) {
        e = made;
        start(made);
      }
    }
    if (e.negative) {
      return NameTree.neg();
    }
    return NameTree.leaf(new Name.Resolved(new BoundName(id, residual, e.addr)));
  }

  private static NameTree<Name> failed(Path id, Path residual, String why) {
    return NameTree.leaf(new Name.Resolved(new BoundName(id, residual, new Var<>(new Addr.Failed(why)))));
  }

  /**
   * {@code label} as an absolute DNS name: letters, digits, {@code -} and {@code _} in dot-separated
   * labels of 1 to 63 characters, 253 in all, one trailing dot allowed.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static org.xbill.DNS.Name dnsName(String label) {
    String text = label.endsWith(".") ? label.substring(0, label.length() - 1) : label;
    String quoted = "'" + label + "' is not a DNS name for an SRV lookup: ";
    if (text.isEmpty()) {
      throw new IllegalArgumentException(quoted + "it is empty");
    }
    if (text.length() > 253) {
      throw new IllegalArgumentException(quoted + "it is longer than 253 characters");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!ok) {
        throw new IllegalArgumentException(quoted + "character '" + c + "' at " + i + " is not a letter, digit, '-', '_' or '.'");
      }
    }
    for (String part : text.split("\\.", -1)) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException(quoted + "it has an empty label");
      }
      if (part.length() > 63) {
        throw new IllegalArgumentException(quoted + "the label '" + part + "' is longer than 63 characters");
      }
    }
    try {
      return org.xbill.DNS.Name.fromString(text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(quoted + e.getMessage());
    }
  }

  @Override
  public long generation() {
    return changes.generation();
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    return changes.onChange(listener);
  }

  /**
   * The servers asked; the last time any name was answered; the latest failure among the names whose
   * last refresh failed, and stale while there is one (those names keep their last answer).
   */
  @Override
  public Map<Path, Addr> names() {
    Map<Path, Addr> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Path::show));
    for (Entry e : entries.values()) {
      out.put(mountPrefix.concat(Path.of(e.label)), e.addr.get());
    }
    return out;
  }

  @Override
  public Optional<NamerStatus> status() {
    String latest = null;
    Instant latestAt = null;
    for (Entry e : entries.values()) {
      String err = e.error;
      Instant at = e.errorAt;
      if (err != null && at != null && (latestAt == null || at.isAfter(latestAt))) {
        latest = err;
        latestAt = at;
      }
    }
    return Optional.of(new NamerStatus(source(), Optional.ofNullable(lastAnswer), Optional.ofNullable(latest), latest != null));
  }

  private String source() {
    if (servers.isEmpty()) {
      return "dns SRV via the system's resolvers";
    }
    List<String> shown = new ArrayList<>();
    for (DnsServer s : servers) {
      shown.add(s.show());
    }
    return "dns SRV via " + String.join(", ", shown);
  }

  /** Stops the refreshing; bound names keep their last endpoints. */
  @Override
  public void close() {
    thread.shutdownNow();
    tcpThread.shutdownNow();
  }

  private void start(Entry e) {
    try {
      thread.execute(() -> refresh(e));
    } catch (RejectedExecutionException closed) {
      e.addr.set(new Addr.Failed("the io.l5d.dnssrv namer at " + mountPrefix.show() + " is closed"));
    }
  }

  private void refreshAll() {
    for (Entry e : entries.values()) {
      refresh(e);
    }
  }

  /** Asks for {@code e}'s SRV records, unless a question is out already. On the namer's thread. */
  private void refresh(Entry e) {
    if (e.inFlight) {
      return;
    }
    Resolver r;
    try {
      r = resolver();
    } catch (IOException | RuntimeException cannot) {
      failed(e, "SRV lookup of " + e.label + " failed: " + cannot.getMessage());
      return;
    }
    e.inFlight = true;
    Message query = Message.newQuery(Record.newRecord(e.dnsName, Type.SRV, DClass.IN));
    try {
      r.sendAsync(query).whenCompleteAsync((answer, err) -> srvAnswered(e, r, answer, err), thread);
    } catch (RuntimeException cannot) {
      e.inFlight = false;
      failed(e, "SRV lookup of " + e.label + " could not start: " + cannot);
    }
  }

  private Resolver resolver() throws IOException {
    if (resolver != null) {
      return resolver;
    }
    ExtendedResolver r;
    boolean complete = true;
    if (servers.isEmpty()) {
      r = new ExtendedResolver();
    } else {
      // A server named by a host name that does not resolve now is left out of this refresh and
      // tried again on the next; only when none resolves does the lookup fail.
      List<Resolver> each = new ArrayList<>();
      List<String> unresolved = new ArrayList<>();
      for (DnsServer s : servers) {
        try {
          each.add(new SimpleResolver(new InetSocketAddress(InetAddress.getByName(s.host()), s.port())));
        } catch (java.net.UnknownHostException e) {
          unresolved.add(s.show());
        }
      }
      if (each.isEmpty()) {
        throw new IOException("no DNS server's address is known (" + String.join(", ", unresolved) + ")");
      }
      r = new ExtendedResolver(each);
      complete = unresolved.isEmpty();
    }
    OneShotTcp transport = new OneShotTcp(tcpThread);
    for (Resolver one : r.getResolvers()) {
      one.setTimeout(queryTimeout);
      if (one instanceof SimpleResolver simple) {
        simple.setIoClientFactory(transport);
      }
    }
    r.setRetries(2);
    r.setTimeout(queryTimeout.multipliedBy(Math.max(1, r.getResolvers().length) * 2L));
    // As Linkerd 1: EDNS with a 2048-byte payload, so most answers fit a datagram; larger ones are
    // truncated and asked again over TCP by the resolver.
    r.setEDNS(0, 2048, 0, List.of());
    if (complete) {
      resolver = r;
    }
    return r;
  }

  private void srvAnswered(Entry e, Resolver r, Message answer, Throwable err) {
    if (err != null) {
      e.inFlight = false;
      failed(e, "SRV lookup of " + e.label + " failed: " + describe(err));
      return;
    }
    int rcode = answer.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      answered(e, new Addr.Neg(), Map.of());
      return;
    }
    if (rcode != Rcode.NOERROR) {
      e.inFlight = false;
      failed(e, "SRV lookup of " + e.label + ": the DNS server answered " + Rcode.string(rcode));
      return;
    }
    List<SrvSelection.Srv> records = new ArrayList<>();
    for (Record rec : answer.getSection(Section.ANSWER)) {
      // RFC 2782: a target of "." says the service is decidedly not offered here.
      if (rec instanceof SRVRecord srv && srv.getTarget().labels() > 1 && srv.getPort() > 0) {
        records.add(
            new SrvSelection.Srv(srv.getPriority(), srv.getWeight(), srv.getPort(), key(srv.getTarget())));
      }
    }
    if (records.isEmpty()) {
      answered(e, new Addr.Neg(), Map.of());
      return;
    }
    Map<String, List<InetAddress>> given = new HashMap<>();
    for (Record rec : answer.getSection(Section.ADDITIONAL)) {
      if (rec instanceof ARecord a) {
        given.computeIfAbsent(key(a.getName()), k -> new ArrayList<>()).add(a.getAddress());
      } else if (rec instanceof AAAARecord a) {
        given.computeIfAbsent(key(a.getName()), k -> new ArrayList<>()).add(a.getAddress());
      }
    }
    Map<String, CompletableFuture<Message>[]> asked = new HashMap<>();
    for (SrvSelection.Srv s : records) {
      if (!given.containsKey(s.target()) && !asked.containsKey(s.target())) {
        asked.put(s.target(), ask(r, s.target()));
      }
    }
    if (asked.isEmpty()) {
      targetsKnown(e, records, given, Map.of());
      return;
    }
    List<CompletableFuture<Message>> all = new ArrayList<>();
    for (CompletableFuture<Message>[] pair : asked.values()) {
      all.add(pair[0]);
      all.add(pair[1]);
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenCompleteAsync((ignored, anyErr) -> targetsKnown(e, records, given, asked), thread);
  }

  /** An A and an AAAA query for {@code target}, both already sent. */
  @SuppressWarnings("unchecked")
  private static CompletableFuture<Message>[] ask(Resolver r, String target) {
    CompletableFuture<Message>[] pair = new CompletableFuture[2];
    int[] types = {Type.A, Type.AAAA};
    for (int i = 0; i < 2; i++) {
      try {
        Message q = Message.newQuery(Record.newRecord(org.xbill.DNS.Name.fromString(target), types[i], DClass.IN));
        pair[i] = r.sendAsync(q).toCompletableFuture();
      } catch (TextParseException | RuntimeException bad) {
        pair[i] = CompletableFuture.failedFuture(bad);
      }
    }
    return pair;
  }

  /**
   * Every target's lookup is over: the addresses of each are what the server gave, what A and AAAA
   * found, or, for a target whose lookups failed, what it had last time.
   */
  private void targetsKnown(
      Entry e,
      List<SrvSelection.Srv> records,
      Map<String, List<InetAddress>> given,
      Map<String, CompletableFuture<Message>[]> asked) {
    Map<String, List<InetAddress>> targets = new HashMap<>(given);
    String problem = null;
    for (Map.Entry<String, CompletableFuture<Message>[]> t : asked.entrySet()) {
      List<InetAddress> found = new ArrayList<>();
      String failure = null;
      for (CompletableFuture<Message> f : t.getValue()) {
        Message m;
        try {
          m = f.get();
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          e.inFlight = false;
          return;
        } catch (ExecutionException err) {
          failure = describe(err);
          continue;
        }
        int rcode = m.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
          failure = "the DNS server answered " + Rcode.string(rcode);
          continue;
        }
        for (Record rec : m.getSection(Section.ANSWER)) {
          if (rec instanceof ARecord a) {
            found.add(a.getAddress());
          } else if (rec instanceof AAAARecord a) {
            found.add(a.getAddress());
          }
        }
      }
      if (found.isEmpty() && failure != null) {
        problem = "address lookup of SRV target " + t.getKey() + " for " + e.label + " failed: " + failure;
        List<InetAddress> before = e.lastTargets.get(t.getKey());
        if (before != null) {
          targets.put(t.getKey(), before);
        }
      } else {
        targets.put(t.getKey(), found);
      }
    }
    List<Address> endpoints = SrvSelection.select(records, targets);
    if (endpoints.isEmpty() && problem != null) {
      e.inFlight = false;
      failed(e, problem);
      return;
    }
    Addr next = endpoints.isEmpty() ? new Addr.Neg() : new Addr.Bound(endpoints);
    answered(e, next, targets);
    if (problem != null) {
      failed(e, problem);
    }
  }

  /** A good answer: the name's variable takes it; a name turning Neg or back tells the binders. */
  private void answered(Entry e, Addr next, Map<String, List<InetAddress>> targets) {
    e.inFlight = false;
    e.lastTargets = Map.copyOf(targets);
    e.error = null;
    e.errorAt = null;
    lastAnswer = clock.instant();
    boolean negative = next instanceof Addr.Neg;
    boolean flipped = e.negative != negative;
    e.negative = negative;
    e.addr.set(next);
    if (flipped) {
      changes.changed();
    }
  }

  /** No usable answer: the name keeps what it had; one never answered fails with the reason. */
  private void failed(Entry e, String why) {
    if (e.error == null) {
      LOG.warn("{} (keeping its last answer)", why);
    }
    e.error = why;
    e.errorAt = clock.instant();
    Addr now = e.addr.get();
    if (now instanceof Addr.Pending || now instanceof Addr.Failed) {
      e.addr.set(new Addr.Failed(why));
    }
  }

  /** A DNS name as a map key: lower case, absolute. */
  private static String key(org.xbill.DNS.Name name) {
    return name.toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static String describe(Throwable err) {
    Throwable t = err;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    String msg = t.getMessage();
    return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }
}
