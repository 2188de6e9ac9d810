package dev.turnout.web;

import dev.turnout.web.auth.SignedIn;
import java.util.List;

/**
 * What every signed-in page shows around its content: the title, who is signed in (and their CSRF
 * token, which the page carries for htmx and forms), the namespaces for the navigation, and which of
 * them, if any, the page is about.
 */
public record Chrome(String title, SignedIn who, List<String> namespaces, String current) {
  public Chrome {
    namespaces = List.copyOf(namespaces);
  }
}
