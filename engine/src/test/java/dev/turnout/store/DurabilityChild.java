package dev.turnout.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Run in a child JVM by {@link KillDurabilityTest}: commits versions of namespace {@code durable} in a
 * loop and prints {@code acked N} after each write returns, until it is killed. A second argument pads
 * each version to about that many bytes of dentries (large dtabs); a third names the first version's
 * marker, so a child started again after a kill does not repeat the last one's.
 */
public final class DurabilityChild {
  private DurabilityChild() {}

  public static void main(String[] args) {
    JdbcDtabStore store = JdbcDtabStore.openFile(Path.of(args[0]));
    int padding = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    long first = args.length > 2 ? Long.parseLong(args[2]) : 1;
    System.out.println("ready");
    System.out.flush();
    for (long i = first; ; i++) {
      DtabVersion v = store.update("durable", padded("/svc => /v" + i + ";\n", i, padding), Optional.empty(), "child", "");
      System.out.println("acked " + v.version() + " /v" + i);
      System.out.flush();
    }
  }

  /** {@code head} and then dentries of about 480 bytes each, until the text is {@code bytes} long. */
  private static String padded(String head, long i, int bytes) {
    StringBuilder b = new StringBuilder(head);
    for (int d = 0; b.length() < bytes; d++) {
      b.append("/svc/pad").append(d).append(" => /#/io.l5d.fs/v").append(i).append('/').append("p".repeat(440)).append(";\n");
    }
    return b.toString();
  }
}
