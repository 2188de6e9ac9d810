package dev.turnout.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Run in a child JVM by {@link KillDurabilityTest}: commits versions of namespace {@code durable} in a
 * loop and prints {@code acked N} after each write returns, until it is killed.
 */
public final class DurabilityChild {
  private DurabilityChild() {}

  public static void main(String[] args) {
    JdbcDtabStore store = JdbcDtabStore.openFile(Path.of(args[0]));
    System.out.println("ready");
    System.out.flush();
    for (long i = 1; ; i++) {
      DtabVersion v = store.update("durable", "/svc => /v" + i + ";", Optional.empty(), "child", "");
      System.out.println("acked " + v.version() + " /v" + i);
      System.out.flush();
    }
  }
}
