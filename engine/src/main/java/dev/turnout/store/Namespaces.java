package dev.turnout.store;

import java.util.regex.Pattern;

/**
 * The rule for namespace names: 1 to 64 of {@code A-Z a-z 0-9 _ . -}, so a name is safe in a URL path.
 * It is written only here: the store, the API, the dashboard and the config's namespace keys all ask
 * this class.
 */
public final class Namespaces {
  /** The rule as a regular expression, as messages about config keys quote it. */
  public static final String RULE = "[A-Za-z0-9_.-]{1,64}";

  private static final Pattern NAME = Pattern.compile(RULE);

  private Namespaces() {}

  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** @throws StoreException.Invalid when {@code name} breaks the rule */
  public static String check(String name) {
    if (!isValid(name)) {
      String shown = name == null ? "null" : name.length() > 80 ? name.substring(0, 80) + "..." : name;
      throw new StoreException.Invalid(
          "invalid namespace name '"
              + shown
              + "': use 1 to 64 characters from A-Z, a-z, 0-9, '_', '.' and '-'");
    }
    return name;
  }

  /**
   * As {@link #check}, for a namespace about to be created: {@code .} and {@code ..} also break the
   * rule, since clients and proxies collapse them out of a URL path and the namespace could then not be
   * reached. Existing ones stay readable and deletable.
   *
   * @throws StoreException.Invalid when {@code name} may not name a new namespace
   */
  public static String checkNew(String name) {
    check(name);
    if (name.equals(".") || name.equals("..")) {
      throw new StoreException.Invalid(
          "invalid namespace name '" + name + "': '.' and '..' are dot segments that URLs collapse");
    }
    return name;
  }
}
