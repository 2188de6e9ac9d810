package dev.turnout.naming;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.net.InetAddress;
import java.util.TreeMap;

/**
 * The JSON that namerd and Linkerd's admin write for naming results, shared by the CLI, the HTTP API and
 * the dashboard:
 *
 * <ul>
 *   <li>{@link #delegateTree}: {@code /api/1/delegate} and {@code delegator.json}: {@code {"type":
 *       "delegate", "path": "/svc/users", "dentry": {"prefix": "/svc", "dst": "/#/io.l5d.fs"},
 *       "delegate": {...}}}; types {@code delegate alt union leaf neg fail empty exception
 *       transformation}; the root's no-op dentry is left out; a transformation carries {@code name},
 *       the {@code bound} name before (left out for {@code io.l5d.const}, which has none) and the
 *       {@code tree} after.
 *   <li>{@link #boundTree}: {@code /api/1/bind}: the same without paths and dentries, {@code
 *       {"type":"leaf","bound":{"addr":{...},"id":"/#/io.l5d.fs/users","path":"/rest"}}}, {@code
 *       {"type":"union","union":[{"weight":0.9,"tree":{...}}]}}, {@code {"type":"neg"}}.
 *   <li>{@link #addr}: {@code {"type":"bound","addrs":[{"ip":"127.0.0.1","port":8080,"meta":{}}],
 *       "meta":{}}}, {@code {"type":"neg"}}, {@code {"type":"failed","cause":"..."}}, {@code
 *       {"type":"pending"}}.
 * </ul>
 */
public final class NamingJson {
  /** Metadata key of an endpoint's load-balancing weight, as Finagle names it. */
  public static final String ENDPOINT_WEIGHT_KEY = "endpoint_addr_weight";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private NamingJson() {}

  /** Compact JSON text of {@code node}. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** Indented JSON text of {@code node}, for people. */
  public static String writePretty(JsonNode node) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** The delegation tree as namerd's {@code /api/1/delegate} answers it. */
  public static ObjectNode delegateTree(DelegateTree tree) {
    return tree.accept(DelegateJson.INSTANCE);
  }

  /** One JSON object per node: type, path, the dentry unless it is the root's, then the type's own. */
  private static final class DelegateJson implements DelegateTree.Visitor<ObjectNode> {
    static final DelegateJson INSTANCE = new DelegateJson();

    /** The fields every node but a Transformation starts with; {@code path} as the type prints it. */
    private static ObjectNode node(String type, String path, DelegateTree tree) {
      ObjectNode o = NODES.objectNode();
      o.put("type", type);
      o.put("path", path);
      if (!tree.dentry().equals(DelegateTree.NOP)) {
        o.set("dentry", dentry(tree.dentry()));
      }
      return o;
    }

    @Override
    public ObjectNode delegate(DelegateTree.Delegate d) {
      ObjectNode o = node("delegate", d.path().show(), d);
      o.set("delegate", d.tree().accept(this));
      return o;
    }

    @Override
    public ObjectNode alt(DelegateTree.Alt a) {
      ObjectNode o = node("alt", a.path().show(), a);
      ArrayNode alt = o.putArray("alt");
      a.trees().forEach(t -> alt.add(t.accept(this)));
      return o;
    }

    @Override
    public ObjectNode union(DelegateTree.Union u) {
      ObjectNode o = node("union", u.path().show(), u);
      ArrayNode union = o.putArray("union");
      for (DelegateTree.Weighted w : u.trees()) {
        ObjectNode branch = union.addObject();
        branch.put("weight", w.weight());
        branch.set("tree", w.tree().accept(this));
      }
      return o;
    }

    @Override
    public ObjectNode leaf(DelegateTree.Leaf l) {
      ObjectNode o = node("leaf", l.path().show(), l);
      o.set("bound", bound(l.bound()));
      return o;
    }

    /** A Neg with no name (an explicit {@code ~}) prints {@code ~}. */
    @Override
    public ObjectNode neg(DelegateTree.Neg n) {
      return node("neg", n.path().isEmpty() ? "~" : n.path().show(), n);
    }

    /** A Fail prints its {@code /$/fail...} path, else {@code !}. */
    @Override
    public ObjectNode fail(DelegateTree.Fail f) {
      Path p = f.path();
      boolean failPath = p.size() >= 2 && p.label(0).equals("$") && p.label(1).equals("fail");
      return node("fail", failPath ? p.show() : "!", f);
    }

    @Override
    public ObjectNode empty(DelegateTree.Empty e) {
      return node("empty", e.path().show(), e);
    }

    @Override
    public ObjectNode exception(DelegateTree.Exception e) {
      ObjectNode o = node("exception", e.path().show(), e);
      o.put("message", e.message());
      return o;
    }

    @Override
    public ObjectNode transformation(DelegateTree.Transformation x) {
      ObjectNode o = NODES.objectNode();
      o.put("type", "transformation");
      o.put("path", x.path().show());
      o.put("name", x.name());
      x.bound().ifPresent(b -> o.set("bound", bound(b)));
      o.set("tree", x.tree().accept(this));
      return o;
    }
  }

  /** {@code {"prefix": "/svc", "dst": "/#/io.l5d.fs"}}. */
  public static ObjectNode dentry(Dentry d) {
    ObjectNode o = NODES.objectNode();
    o.put("prefix", d.prefix().show());
    o.put("dst", d.dst().show());
    return o;
  }

  /** A bound tree as namerd's {@code /api/1/bind} answers it. */
  public static ObjectNode boundTree(NameTree<BoundName> tree) {
    return tree.accept(BoundJson.INSTANCE);
  }

  /** A bound tree node by node: only its type and, per type, its members or bound name. */
  private static final class BoundJson implements NameTree.Visitor<BoundName, ObjectNode> {
    static final BoundJson INSTANCE = new BoundJson();

    private static ObjectNode typed(String type) {
      ObjectNode o = NODES.objectNode();
      o.put("type", type);
      return o;
    }

    @Override
    public ObjectNode leaf(NameTree.Leaf<BoundName> l) {
      ObjectNode o = typed("leaf");
      o.set("bound", bound(l.value()));
      return o;
    }

    @Override
    public ObjectNode alt(NameTree.Alt<BoundName> a) {
      ObjectNode o = typed("alt");
      ArrayNode alt = o.putArray("alt");
      a.trees().forEach(t -> alt.add(t.accept(this)));
      return o;
    }

    @Override
    public ObjectNode union(NameTree.Union<BoundName> u) {
      ObjectNode o = typed("union");
      ArrayNode union = o.putArray("union");
      for (NameTree.Weighted<BoundName> w : u.trees()) {
        ObjectNode branch = union.addObject();
        branch.put("weight", w.weight());
        branch.set("tree", w.tree().accept(this));
      }
      return o;
    }

    @Override
    public ObjectNode neg() {
      return typed("neg");
    }

    @Override
    public ObjectNode fail() {
      return typed("fail");
    }

    @Override
    public ObjectNode empty() {
      return typed("empty");
    }
  }

  /** {@code {"addr": {...}, "id": "/#/io.l5d.fs/users", "path": "/rest"}}: path is the residual. */
  public static ObjectNode bound(BoundName b) {
    ObjectNode o = NODES.objectNode();
    o.set("addr", addr(b.addr().get()));
    o.put("id", b.id().show());
    o.put("path", b.residual().show());
    return o;
  }

  /** An endpoint set as namerd's {@code /api/1/addr} answers it. */
  public static ObjectNode addr(Addr addr) {
    ObjectNode o = NODES.objectNode();
    if (addr instanceof Addr.Bound b) {
      o.put("type", "bound");
      ArrayNode addrs = o.putArray("addrs");
      for (Address a : b.addresses()) {
        ObjectNode one = addrs.addObject();
        one.put("ip", ip(a.host()));
        one.put("port", a.port());
        ObjectNode meta = one.putObject("meta");
        if (a.weight() != 1.0) {
          meta.put(ENDPOINT_WEIGHT_KEY, a.weight());
        }
        new TreeMap<>(a.meta()).forEach(meta::put);
      }
      o.set("meta", MAPPER.valueToTree(new TreeMap<String, Object>(b.meta())));
    } else if (addr instanceof Addr.Failed f) {
      o.put("type", "failed");
      o.put("cause", f.message());
    } else if (addr instanceof Addr.Neg) {
      o.put("type", "neg");
    } else {
      o.put("type", "pending");
    }
    return o;
  }

  /**
   * The address as Linkerd prints it: an IP literal in its usual form ({@code 127.1} is {@code
   * 127.0.0.1}, read by {@link HostLiteral}), {@code localhost} as the loopback address; other host
   * names as written (no lookup is made here, so writing JSON never waits on DNS).
   */
  static String ip(String host) {
    if (host.equals("localhost")) {
      return InetAddress.getLoopbackAddress().getHostAddress();
    }
    return HostLiteral.classify(host) instanceof HostLiteral.Literal literal ? literal.text() : host;
  }
}
