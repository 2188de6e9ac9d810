package dev.turnout.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.dtab.Prefix;
import dev.turnout.store.JdbcDtabStore;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a dtab from a request body, as namerd does: {@code application/dtab} or {@code text/plain}
 * is dtab text (kept exactly as sent), {@code application/json} a list of {@code
 * {"prefix":"/svc","dst":"/#/io.l5d.fs"}} objects. Other content types are 400 (as namerd answers
 * them), a body over 1 MiB is 413, JSON with missing or malformed dentries, or anything after the list
 * ({@link ApiJson#MAPPER} refuses it), is 400. The handlers read the text once with the store's
 * {@code DtabText.read}, which answers a malformed one with the parser's message, line and column.
 */
final class DtabBodies {
  static final String DTAB = "application/dtab";
  static final String TEXT = "text/plain";
  static final String JSON = "application/json";
  static final int MAX_BYTES = JdbcDtabStore.MAX_DTAB_BYTES;

  private DtabBodies() {}

  /** The dtab text to store: the body itself, or for JSON one dentry a line. */
  static String dtabText(Context ctx, ObjectMapper json) {
    String type = mediaType(ctx.header("Content-Type"));
    if (!DTAB.equals(type) && !TEXT.equals(type) && !JSON.equals(type)) {
      throw new ApiError(
          400,
          "Content-Type must be "
              + DTAB
              + ", "
              + TEXT
              + " or "
              + JSON
              + (type.isEmpty() ? "; none was given" : ", not " + type));
    }
    String body = utf8(read(ctx, MAX_BYTES));
    return JSON.equals(type) ? fromJson(body, json).showLines() : body;
  }

  /** The media type of a Content-Type or Accept entry: lower case, parameters dropped. */
  static String mediaType(String header) {
    if (header == null) {
      return "";
    }
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }

  /** The body, refused with 413 when longer than {@code limit} bytes. */
  static byte[] read(Context ctx, int limit) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > limit) {
      throw tooLarge(limit);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) != -1) {
        if (out.size() + n > limit) {
          throw tooLarge(limit);
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new ApiError(400, "could not read the request body: " + e.getMessage());
    }
  }

  private static ApiError tooLarge(int limit) {
    return new ApiError(413, "the request body is larger than " + limit + " bytes (1 MiB)");
  }

  static String utf8(byte[] bytes) {
    return strictUtf8(bytes).orElseThrow(() -> new ApiError(400, "the request body is not valid UTF-8"));
  }

  /** {@code bytes} as UTF-8, or empty when they are not valid UTF-8. */
  static java.util.Optional<String> strictUtf8(byte[] bytes) {
    try {
      return java.util.Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return java.util.Optional.empty();
    }
  }

  /** A JSON dentry list; every bad entry is named in one 400 answer. */
  static Dtab fromJson(String body, ObjectMapper json) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isArray()) {
      throw new ApiError(
          400, "a JSON dtab is a list of {\"prefix\": ..., \"dst\": ...} objects");
    }
    List<Dentry> dentries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode entry = root.get(i);
      if (entry == null
          || !entry.isObject()
          || !entry.path("prefix").isTextual()
          || !entry.path("dst").isTextual()) {
        problems.add("#" + i + " " + entry + ": needs a \"prefix\" and a \"dst\" string");
        continue;
      }
      try {
        Prefix prefix = Prefix.read(entry.get("prefix").asText());
        NameTree<Path> dst = NameTree.read(entry.get("dst").asText());
        dentries.add(new Dentry(prefix, dst));
      } catch (IllegalArgumentException e) {
        problems.add("#" + i + " " + entry + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ApiError(400, "The dtab contains invalid dentries: " + String.join("; ", problems));
    }
    return new Dtab(dentries);
  }
}
