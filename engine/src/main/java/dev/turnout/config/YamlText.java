package dev.turnout.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Config text to a tree of YAML nodes. Empty text is a config with every block missing, so every
 * default applies; text that is not YAML, or whose top is not a mapping, is a {@link
 * ConfigException} with the line and column where reading stopped.
 */
final class YamlText {
  /**
   * Refuses a key given twice in one mapping (two {@code routers:} blocks), which YAML parsers would
   * otherwise settle by silently keeping the last.
   */
  private static final ObjectMapper YAML =
      new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private YamlText() {}

  /** The top mapping of {@code yaml}, or a missing node for empty text. @throws ConfigException */
  static JsonNode read(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonParseException e) {
      if (e.getOriginalMessage().startsWith("Duplicate field")) {
        throw new ConfigException(duplicateKey(e));
      }
      throw new ConfigException("config is not valid YAML" + at(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException("config is not valid YAML" + at(e) + ": " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return MissingNode.getInstance();
    }
    if (!root.isObject()) {
      throw new ConfigException("config: must be a mapping of keys (admin, namers, routers, storage)");
    }
    return root;
  }

  /** {@code routers: given twice in one mapping (line 9, column 1)...}, with the key's YAML path. */
  private static String duplicateKey(JsonParseException e) {
    String path = "";
    JsonParser p = e.getProcessor();
    if (p != null) {
      Deque<String> parts = new ArrayDeque<>();
      for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
        parts.push(c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
      }
      path = String.join("", parts).replaceFirst("^\\.", "");
    }
    return (path.isEmpty() ? "config" : path)
        + ": given twice in one mapping"
        + where(e)
        + "; YAML would keep only the last, so Turnout refuses both: remove or merge one";
  }

  private static String at(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static String where(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }
}
