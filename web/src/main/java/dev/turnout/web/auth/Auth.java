package dev.turnout.web.auth;

import dev.turnout.store.LoginOutcome;
import dev.turnout.store.SignedInSession;
import dev.turnout.store.UserStore;
import dev.turnout.web.Pages;
import dev.turnout.web.Refusal;
import dev.turnout.web.Routes;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import java.util.Optional;

/**
 * Sign-in, sign-out and the guard in front of every dashboard page (interfaces.md §4). The guard lets
 * no one without a session through (pages redirect to the sign-in form, htmx requests are told to go
 * there) and refuses every state-changing request whose CSRF token, sent as the {@value
 * Routes#CSRF_FIELD} form field or the {@value Routes#CSRF_HEADER} header, is not its session's.
 * Sign-in attempts are limited per client address ({@link UserStore#login}); a throttled one is
 * answered 429 with {@code Retry-After}, its password unchecked.
 */
public final class Auth {
  private static final String SIGNED_IN = "turnout.signedIn";

  private final Sessions sessions;
  private final UserStore users;
  private final Pages pages;

  private Auth(Sessions sessions, UserStore users, Pages pages) {
    this.sessions = sessions;
    this.users = users;
    this.pages = pages;
  }

  /** Mounts the sign-in routes and guards {@code guarded} paths (Javalin path patterns). */
  public static void register(JavalinConfig config, UserStore users, Pages pages, String... guarded) {
    Auth auth = new Auth(new Sessions(users.sessions()), users, pages);
    for (String path : guarded) {
      config.routes.before(path, auth::guard);
    }
    config.routes.get(Routes.SIGN_IN, auth::signInForm);
    config.routes.post(Routes.SIGN_IN, auth::signIn);
    config.routes.post(Routes.SIGN_OUT, auth::signOut);
  }

  /** The user the guard let through; only valid on guarded paths. */
  public static SignedIn signedIn(Context ctx) {
    SignedIn who = ctx.attribute(SIGNED_IN);
    if (who == null) {
      throw new IllegalStateException(ctx.path() + " is not behind the sign-in guard");
    }
    return who;
  }

  /** The signed-in user, who must be allowed to change routes; the server's own check on every write. */
  public static SignedIn writer(Context ctx) {
    SignedIn who = signedIn(ctx);
    if (!who.mayWrite()) {
      throw Refusal.forbidden(who.name() + " is a viewer: viewers can look but not change routes.");
    }
    return who;
  }

  private void guard(Context ctx) {
    if (ctx.path().equals(Routes.SIGN_IN)) {
      return;
    }
    Optional<SignedInSession> session = sessions.find(ctx);
    if (session.isEmpty()) {
      sendToSignIn(ctx);
      return;
    }
    SignedInSession s = session.get();
    if (changesState(ctx) && !Sessions.tokensEqual(s.csrf(), presentedToken(ctx))) {
      throw Refusal.forbidden("This form has expired (its security token does not match): reload the page and try again.");
    }
    ctx.attribute(SIGNED_IN, SignedIn.of(s.user(), s.csrf()));
  }

  private void sendToSignIn(Context ctx) {
    if (Pages.isHtmx(ctx)) {
      ctx.header("HX-Redirect", Routes.SIGN_IN);
      ctx.status(HttpStatus.UNAUTHORIZED).result("Sign in first.");
    } else if (ctx.method() == HandlerType.GET) {
      ctx.redirect(Routes.SIGN_IN, HttpStatus.SEE_OTHER);
    } else {
      ctx.status(HttpStatus.UNAUTHORIZED).result("Sign in first.");
    }
    ctx.skipRemainingHandlers();
  }

  private void signInForm(Context ctx) {
    if (sessions.find(ctx).isPresent()) {
      ctx.redirect(Routes.OVERVIEW, HttpStatus.SEE_OTHER);
      return;
    }
    pages.html(ctx, "auth/signin.jte", new SignInPage(sessions.formToken(ctx), "", ""));
  }

  private void signIn(Context ctx) {
    String name = Optional.ofNullable(ctx.formParam("name")).orElse("").strip();
    if (!Sessions.formTokenMatches(ctx, presentedToken(ctx))) {
      ctx.status(HttpStatus.FORBIDDEN);
      signInPage(ctx, sessions.newFormToken(ctx), name, "The sign-in form had expired; please try again.");
      return;
    }
    String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
    LoginOutcome outcome = users.login(ctx.ip(), name, password);
    if (outcome instanceof LoginOutcome.Accepted ok) {
      if (sessions.signIn(ctx, ok).isPresent()) {
        ctx.redirect(Routes.OVERVIEW, HttpStatus.SEE_OTHER);
      } else {
        ctx.status(HttpStatus.UNAUTHORIZED);
        signInPage(ctx, sessions.formToken(ctx), name,
            "Your password or role was changed while you were signing in; sign in again.");
      }
    } else if (outcome instanceof LoginOutcome.Throttled wait) {
      ctx.status(HttpStatus.TOO_MANY_REQUESTS);
      ctx.header("Retry-After", Long.toString(wait.retryAfterSeconds()));
      signInPage(
          ctx,
          sessions.formToken(ctx),
          name,
          "Too many sign-in attempts from your address: try again in " + wait.retryAfterSeconds() + " s.");
    } else {
      ctx.status(HttpStatus.UNAUTHORIZED);
      signInPage(ctx, sessions.formToken(ctx), name, "Wrong name or password.");
    }
  }

  private void signInPage(Context ctx, String token, String name, String message) {
    pages.html(ctx, "auth/signin.jte", new SignInPage(token, name, message));
  }

  private void signOut(Context ctx) {
    sessions.signOut(ctx);
    ctx.redirect(Routes.SIGN_IN, HttpStatus.SEE_OTHER);
  }

  private static boolean changesState(Context ctx) {
    HandlerType m = ctx.method();
    return m != HandlerType.GET && m != HandlerType.HEAD && m != HandlerType.OPTIONS;
  }

  private static String presentedToken(Context ctx) {
    String header = ctx.header(Routes.CSRF_HEADER);
    return header != null ? header : ctx.formParam(Routes.CSRF_FIELD);
  }
}
