package dev.turnout.naming;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lines of an {@code io.l5d.fs} service file: {@code host port} or {@code host port * weight}, with
 * blank lines and {@code #} comments (to the end of the line) ignored.
 */
final class FsFormat {
  private FsFormat() {}

  /** The file's endpoints, or {@link Addr.Failed} naming the file and the first bad line. */
  static Addr parse(String file, List<String> lines) {
    List<Address> addresses = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (content.isEmpty()) {
        continue;
      }
      String[] words = content.split("\\s+");
      Address a = words.length == 2 || words.length == 4 ? address(words) : null;
      if (a == null) {
        return new Addr.Failed(
            file
                + ":"
                + (i + 1)
                + ": malformed line '"
                + content
                + "': expected 'host port' or 'host port * weight'");
      }
      addresses.add(a);
    }
    return new Addr.Bound(addresses);
  }

  private static Address address(String[] words) {
    int port;
    try {
      port = Integer.parseInt(words[1]);
    } catch (NumberFormatException e) {
      return null;
    }
    if (port < 1 || port > 65535) {
      return null;
    }
    double weight = 1.0;
    if (words.length == 4) {
      if (!words[2].equals("*")) {
        return null;
      }
      try {
        weight = Double.parseDouble(words[3]);
      } catch (NumberFormatException e) {
        return null;
      }
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        return null;
      }
    }
    return new Address(words[0], port, weight, Map.of());
  }
}
