package dev.turnout.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/**
 * Renders the jte templates compiled from {@code templates/} at build time (package {@code
 * dev.turnout.web.templates}). Each template takes one record. STYLE 8: one URL answers an htmx request
 * ({@code HX-Request}) with the partial and a plain request with the whole page, which includes that
 * same partial, and says so with {@code Vary: HX-Request}.
 */
public final class Pages {
  static final String TEMPLATE_PACKAGE = "dev.turnout.web.templates";

  private final TemplateEngine engine;

  Pages(TemplateEngine engine) {
    this.engine = engine;
  }

  static Pages precompiled() {
    return new Pages(
        TemplateEngine.createPrecompiled(null, ContentType.Html, null, TEMPLATE_PACKAGE));
  }

  /** The HTML of {@code template} (a path such as {@code overview/page.jte}) rendered for {@code model}. */
  public String render(String template, Object model) {
    StringOutput out = new StringOutput();
    engine.render(template, model, out);
    return out.toString();
  }

  /**
   * Answers an htmx request with {@code partial} rendered for {@code partModel} and any other with the
   * whole page, {@code full} for {@code pageModel}, which includes that partial.
   */
  public void answer(Context ctx, String full, Object pageModel, String partial, Object partModel) {
    ctx.header("Vary", "HX-Request");
    html(ctx, isHtmx(ctx) ? render(partial, partModel) : render(full, pageModel));
  }

  public void html(Context ctx, String template, Object model) {
    html(ctx, render(template, model));
  }

  /** HTML with its charset named, which Javalin's {@code ctx.html} leaves out. */
  public static void html(Context ctx, String html) {
    ctx.contentType(HTML).result(html);
  }

  public static final String HTML = "text/html; charset=utf-8";

  public static boolean isHtmx(Context ctx) {
    return "true".equals(ctx.header("HX-Request"));
  }

  /**
   * Sends the browser to {@code next} after a form post that changed something: htmx follows an
   * {@code HX-Redirect} header on an empty answer, a plain form a 303.
   */
  public static void redirectAfterPost(Context ctx, String next) {
    if (isHtmx(ctx)) {
      ctx.header("HX-Redirect", next);
      ctx.status(HttpStatus.NO_CONTENT);
    } else {
      ctx.redirect(next, HttpStatus.SEE_OTHER);
    }
  }
}
