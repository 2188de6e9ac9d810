package dev.turnout.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link TlsReloader} watches for one TLS block: its files, and how to load them again and
 * put the result in force. {@code reload} throws {@link TlsException} and changes nothing when the
 * new files cannot be used.
 */
record Watched(String where, List<Path> files, Runnable reload) {
  Watched {
    files = List.copyOf(files);
  }
}
