package dev.turnout.naming.serversets;

import dev.turnout.dtab.Path;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.common.PathUtils;

/**
 * One serverset a name under the namer asks for, as Finagle's {@code ServersetPath} reads it: the labels
 * make the ZooKeeper path, and the last label may name an additional endpoint and a shard,
 *
 * <pre>
 *   last-label ::= NAME [ ":" ENDPOINT ] [ "#" SHARD ]      SHARD ::= a whole number &gt;= 0
 * </pre>
 *
 * so {@code /discovery/prod/users:http#2} is the {@code http} endpoint of shard 2 of the members of
 * {@code /discovery/prod/users}. Labels before the last are taken as written, {@code :} and {@code #}
 * included. The empty path is the root znode {@code /}.
 *
 * @param zkPath the znode whose {@code member_} children are the serverset
 * @param endpoint an additional endpoint's name, or empty for each member's service endpoint
 * @param shard only members of this shard, or empty for all
 */
record ServersetPath(String zkPath, Optional<String> endpoint, OptionalInt shard) {
  private static final Pattern JOB = Pattern.compile("([^:#]+)(?::([^:#]+))?(?:#([^:#]+))?");

  ServersetPath {
    PathUtils.validatePath(zkPath);
    if (endpoint.isPresent() && endpoint.get().isEmpty()) {
      throw new IllegalArgumentException("an endpoint name is not empty");
    }
    if (shard.isPresent() && shard.getAsInt() < 0) {
      throw new IllegalArgumentException("a shard is a whole number >= 0, not " + shard.getAsInt());
    }
  }

  /** The serverset {@code name} names, or why it names none (the message an operator reads). */
  static Parsed parse(Path name) {
    if (name.isEmpty()) {
      return new Parsed.Ok(new ServersetPath("/", Optional.empty(), OptionalInt.empty()));
    }
    StringBuilder zk = new StringBuilder();
    for (int i = 0; i < name.size(); i++) {
      String text = utf8(name.label(i));
      if (text == null) {
        return new Parsed.Invalid("label " + (i + 1) + " is not UTF-8 text");
      }
      if (text.indexOf('/') >= 0) {
        return new Parsed.Invalid("a ZooKeeper path element cannot hold '/': " + text);
      }
      if (i < name.size() - 1) {
        zk.append('/').append(text);
        continue;
      }
      Matcher m = JOB.matcher(text);
      if (!m.matches()) {
        return new Parsed.Invalid(
            "invalid job syntax: " + text + " (NAME, NAME:ENDPOINT, NAME#SHARD or NAME:ENDPOINT#SHARD)");
      }
      OptionalInt shard = OptionalInt.empty();
      if (m.group(3) != null) {
        try {
          shard = OptionalInt.of(Integer.parseInt(m.group(3)));
        } catch (NumberFormatException e) {
          shard = OptionalInt.of(-1);
        }
        if (shard.getAsInt() < 0) {
          return new Parsed.Invalid("invalid job syntax: " + text + " (the shard after '#' is a whole number >= 0)");
        }
      }
      zk.append('/').append(m.group(1));
      try {
        return new Parsed.Ok(new ServersetPath(zk.toString(), Optional.ofNullable(m.group(2)), shard));
      } catch (IllegalArgumentException e) {
        return new Parsed.Invalid("not a ZooKeeper path: " + zk + ": " + e.getMessage());
      }
    }
    throw new AssertionError("the last label returns");
  }

  private static String utf8(String label) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(label.getBytes(StandardCharsets.ISO_8859_1)))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The outcome of {@link #parse}. */
  sealed interface Parsed permits Parsed.Ok, Parsed.Invalid {
    record Ok(ServersetPath path) implements Parsed {}

    record Invalid(String why) implements Parsed {}
  }
}
