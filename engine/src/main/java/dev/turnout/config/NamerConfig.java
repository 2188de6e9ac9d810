package dev.turnout.config;

import dev.turnout.dtab.Path;

/**
 * A configured namer of one of the kinds Turnout implements, mounted at {@link #prefix()} ({@code
 * /#/io.l5d.fs}, or {@code /#/<prefix>} when the block sets {@code prefix}). Each kind is a record of
 * its own keys; the app starts the namer a record describes.
 */
public sealed interface NamerConfig permits NamerConfig.Fs {

  /** Linkerd's {@code kind}, such as {@code io.l5d.fs}. */
  String kind();

  /** Where names under this namer start. */
  Path prefix();

  /** {@code io.l5d.fs}: one file per service in {@code rootDir}. */
  record Fs(Path prefix, java.nio.file.Path rootDir) implements NamerConfig {
    public static final String KIND = "io.l5d.fs";

    public Fs {
      if (prefix == null || rootDir == null) {
        throw new IllegalArgumentException("an io.l5d.fs namer needs a prefix and a rootDir");
      }
    }

    @Override
    public String kind() {
      return KIND;
    }
  }
}
