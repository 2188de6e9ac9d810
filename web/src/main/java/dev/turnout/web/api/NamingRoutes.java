package dev.turnout.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.Path;
import dev.turnout.naming.BindingException;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.NamingJson;
import dev.turnout.naming.TransformerChain;
import dev.turnout.store.UserStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.function.Function;

/**
 * namerd's naming endpoints, with namerd's paths, parameters and JSON:
 *
 * <pre>
 * GET /api/1/delegate/{ns}?path=&amp;dtab=   the delegation tree (every alternative expanded)
 * GET /api/1/delegate?path=&amp;dtab=        the same with only the given dtab
 * GET /api/1/bind/{ns}?path=&amp;dtab=       the bound tree
 * GET /api/1/resolve/{ns}?path=&amp;dtab=    the endpoints of a logical name (bind, then addr)
 * GET /api/1/addr/{ns}?path=              the endpoints of a bound id such as /#/io.l5d.fs/users
 * </pre>
 *
 * The dtab used is the namespace's followed by the {@code dtab} parameter, which lasts for that call only
 * (later dentries win, so the parameter overrides). A namespace that does not exist acts as an empty dtab
 * for every call, as in namerd, where a missing namespace is empty rather than an error: a playground can
 * then preview routes for a namespace before creating it. A bad {@code path} or {@code dtab} is 400 with
 * {@code Invalid path: ...} / {@code Invalid dtab: ...} and the parser's message; a binding that cannot
 * finish (a loop past the depth limit, an unknown {@code /$} namer) is 400 with {@code Binding failed:
 * ...}.
 *
 * <p>{@code /api/1/delegate/{ns}} shows the tree as the router following {@code ns} routes it, its
 * interpreter transformers included (a Transformation node per rewritten name, as Linkerd's
 * delegator shows them). Bind, resolve and addr answer untransformed, as namerd does: a Linkerd that
 * follows this process applies its own transformers to them, and would otherwise apply two sets.
 *
 * <p>With {@code watch=true} each call streams its answer as namerd does: one JSON value a line, the
 * current one first and then each different one, re-evaluated when a dtab is committed and every
 * {@link #RECHECK} besides (a namer's endpoints change without the store knowing). A binding that
 * fails while watched ends the stream with a line saying why.
 */
public final class NamingRoutes {
  public static final String DELEGATE = "/api/1/delegate";
  public static final String BIND = "/api/1/bind";
  public static final String RESOLVE = "/api/1/resolve";
  public static final String ADDR = "/api/1/addr";
  static final java.time.Duration RECHECK = DtabWatches.RECHECK;

  private NamingRoutes() {}

  /**
   * Mounts the naming calls. Like every read of the API they need no login from loopback and any
   * user's login from elsewhere, as they show routes and backend addresses.
   */
  public static void register(
      JavalinConfig config,
      Function<String, Optional<Dtab>> namespaceDtab,
      Interpreter interpreter,
      UserStore users,
      DtabWatches watches) {
    register(config, namespaceDtab, ns -> TransformerChain.NONE, interpreter, users, watches);
  }

  /**
   * As {@link #register(JavalinConfig, Function, Interpreter, UserStore, DtabWatches)}, with {@code
   * transformers} giving the transformers of the router that follows a namespace.
   */
  public static void register(
      JavalinConfig config,
      Function<String, Optional<Dtab>> namespaceDtab,
      Function<String, TransformerChain> transformers,
      Interpreter interpreter,
      UserStore users,
      DtabWatches watches) {
    ApiAuth auth = new ApiAuth(users);
    Function<Context, Dtab> inNamespace = ctx -> namespace(namespaceDtab, ctx);
    Function<Context, Dtab> noNamespace = ctx -> Dtab.EMPTY;
    named(
        config,
        auth,
        watches,
        DELEGATE + "/{ns}",
        inNamespace,
        (ctx, r) ->
            NamingJson.delegateTree(
                transformers.apply(ctx.pathParam("ns")).apply(interpreter.delegate(r.dtab(), r.path()))));
    named(
        config,
        auth,
        watches,
        DELEGATE,
        noNamespace,
        (ctx, r) -> NamingJson.delegateTree(interpreter.delegate(r.dtab(), r.path())));
    named(
        config,
        auth,
        watches,
        BIND + "/{ns}",
        inNamespace,
        (ctx, r) -> NamingJson.boundTree(interpreter.bind(r.dtab(), r.path())));
    named(
        config,
        auth,
        watches,
        RESOLVE + "/{ns}",
        inNamespace,
        (ctx, r) -> NamingJson.addr(interpreter.resolve(r.dtab(), r.path())));
    config.routes.get(
        ADDR + "/{ns}",
        ctx -> {
          Path path = answerable(auth, ctx, () -> Request.path(ctx));
          if (path != null) {
            answer(ctx, watches, () -> NamingJson.addr(interpreter.addr(path)));
          }
        });
  }

  /**
   * A call on a logical name: its {@code path} and {@code dtab=} parameters over {@code base}. The
   * parameters are read once; a watch re-reads only the namespace's dtab.
   */
  private static void named(
      JavalinConfig config,
      ApiAuth auth,
      DtabWatches watches,
      String route,
      Function<Context, Dtab> base,
      java.util.function.BiFunction<Context, Request, JsonNode> call) {
    config.routes.get(
        route,
        ctx -> {
          Request asked = answerable(auth, ctx, () -> Request.of(ctx, Dtab.EMPTY));
          if (asked != null) {
            answer(ctx, watches, () -> call.apply(ctx, new Request(asked.path(), base.apply(ctx).concat(asked.dtab()))));
          }
        });
  }

  /**
   * Checks the caller and reads the parameters; null when that failed and the 400/401/403 has been
   * written.
   */
  private static <T> T answerable(ApiAuth auth, Context ctx, java.util.function.Supplier<T> read) {
    try {
      auth.requireReader(ctx);
      return read.get();
    } catch (ApiError e) {
      refuse(ctx, e);
    } catch (BadParameter e) {
      text(ctx, 400, e.getMessage());
    }
    return null;
  }

  /**
   * Answers once, or with {@code watch=true} streams each new answer. Either way a binding that fails
   * from the start is 400; one that fails while watched ends the stream with a line saying why.
   */
  private static void answer(Context ctx, DtabWatches watches, java.util.function.Supplier<JsonNode> body)
      throws java.io.IOException {
    JsonNode first;
    try {
      first = body.get();
    } catch (BindingException e) {
      text(ctx, 400, "Binding failed: " + e.getMessage());
      return;
    }
    if (!"true".equalsIgnoreCase(ctx.queryParam("watch"))) {
      ctx.contentType("application/json").result(NamingJson.write(first));
      return;
    }
    JsonNode[] unsent = {first}; // the stream's first line is the answer already worked out
    try {
      watches.stream(
          ctx,
          "application/json",
          event -> {
            try {
              JsonNode tree = unsent[0] != null ? unsent[0] : body.get();
              unsent[0] = null;
              String json = NamingJson.write(tree);
              return Optional.of(new DtabWatches.Line(json, json));
            } catch (BindingException e) {
              String why = "Binding failed: " + e.getMessage();
              return Optional.of(new DtabWatches.Line(why, why, true));
            }
          },
          shareKey(ctx));
    } catch (ApiError e) {
      refuse(ctx, e);
    }
  }

  /**
   * What makes two watches the same: the route with its namespace, and the parameters the answer
   * depends on. Many followers binding one name share one evaluation per change.
   */
  private static String shareKey(Context ctx) {
    return ctx.path() + "?path=" + ctx.queryParam("path") + "&dtab=" + ctx.queryParam("dtab");
  }

  private static void refuse(Context ctx, ApiError e) {
    e.headers().forEach(ctx::header);
    text(ctx, e.status(), e.getMessage());
  }

  /** The namespace's dtab; one that does not exist is empty, as in namerd. */
  private static Dtab namespace(Function<String, Optional<Dtab>> namespaceDtab, Context ctx) {
    return namespaceDtab.apply(ctx.pathParam("ns")).orElse(Dtab.EMPTY);
  }

  private static void text(Context ctx, int status, String body) {
    ctx.status(status).contentType("text/plain; charset=utf-8").result(body);
  }

  /** The {@code path} and effective dtab of one call. */
  private record Request(Path path, Dtab dtab) {
    static Request of(Context ctx, Dtab base) {
      Path path = path(ctx);
      String extra = ctx.queryParam("dtab");
      Dtab local = Dtab.EMPTY;
      if (extra != null) {
        try {
          local = Dtab.read(extra);
        } catch (DtabParseException e) {
          throw new BadParameter("Invalid dtab: " + e.getMessage());
        }
      }
      return new Request(path, base.concat(local));
    }

    static Path path(Context ctx) {
      String text = ctx.queryParam("path");
      if (text == null) {
        throw new BadParameter("Invalid path: the path parameter is missing");
      }
      try {
        return Path.read(text);
      } catch (DtabParseException e) {
        throw new BadParameter("Invalid path: " + e.getMessage());
      }
    }
  }

  /** A query parameter that cannot be used; its message is the response body. */
  static final class BadParameter extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadParameter(String message) {
      super(message);
    }
  }
}
