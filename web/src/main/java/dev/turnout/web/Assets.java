package dev.turnout.web;

import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's few static files, read from the class path once at start and served from memory:
 * its own stylesheet and script from {@code static/}, and htmx with its SSE extension from their
 * webjars, whose versions are read from the webjars themselves, so the pom alone decides them.
 *
 * <p>Serving a handful of files this way, rather than through Jetty's static-file handler, keeps Jetty
 * from mounting the whole 20-odd MB jar as a file system (tens of MB of index kept for the life of the
 * process) just to find them.
 */
public final class Assets {
  /** Where templates find each file. */
  public static final String CSS = "/static/dashboard.css";

  public static final String SCRIPT = "/static/dashboard.js";
  public static final String HTMX = "/static/htmx.min.js";
  public static final String HTMX_SSE = "/static/htmx-sse.js";

  private record Asset(byte[] bytes, String contentType, String etag) {}

  private Assets() {}

  static void register(JavalinConfig config) {
    Map<String, Asset> assets = new LinkedHashMap<>();
    assets.put(CSS, load("/static/dashboard.css", "text/css; charset=utf-8"));
    assets.put(SCRIPT, load("/static/dashboard.js", "text/javascript; charset=utf-8"));
    assets.put(
        HTMX,
        load(webjar("htmx.org", "dist/htmx.min.js"), "text/javascript; charset=utf-8"));
    assets.put(HTMX_SSE, load(webjar("htmx-ext-sse", "sse.js"), "text/javascript; charset=utf-8"));
    assets.forEach(
        (path, asset) ->
            config.routes.get(
                path,
                ctx -> {
                  ctx.header("Cache-Control", "no-cache").header("ETag", asset.etag());
                  if (asset.etag().equals(ctx.header("If-None-Match"))) {
                    ctx.status(304);
                    return;
                  }
                  ctx.contentType(asset.contentType()).result(asset.bytes());
                }));
  }

  /** The class-path location of {@code file} in the npm webjar {@code name}, at its packaged version. */
  private static String webjar(String name, String file) {
    String props = "/META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
    try (InputStream in = Assets.class.getResourceAsStream(props)) {
      if (in == null) {
        throw new IllegalStateException("the " + name + " webjar is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return "/META-INF/resources/webjars/" + name + "/" + p.getProperty("version") + "/" + file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Asset load(String resource, String contentType) {
    try (InputStream in = Assets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the class path");
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset(bytes, contentType, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
