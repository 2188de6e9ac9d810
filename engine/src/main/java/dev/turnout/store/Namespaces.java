package dev.turnout.store;

import java.util.regex.Pattern;

/**
 * The rule for namespace names: 1 to 64 of {@code A-Z a-z 0-9 _ . -}, so a name is safe in a URL path;
 * but not {@code .} or {@code ..}, which clients and proxies collapse out of a path before sending it.
 */
public final class Namespaces {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private Namespaces() {}

  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
  }

  /** @throws StoreException.Invalid when {@code name} breaks the rule */
  public static String check(String name) {
    if (!isValid(name)) {
      String shown = name == null ? "null" : name.length() > 80 ? name.substring(0, 80) + "..." : name;
      throw new StoreException.Invalid(
          "invalid namespace name '"
              + shown
              + "': use 1 to 64 characters from A-Z, a-z, 0-9, '_', '.' and '-', other than '.' or '..'");
    }
    return name;
  }
}
