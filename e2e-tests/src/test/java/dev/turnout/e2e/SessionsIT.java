package dev.turnout.e2e;

import dev.turnout.testing.Await;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sessions across sign-out and across the control planes of a fleet, in a real browser. */
class SessionsIT extends DashboardTest {

  @Test
  void afterSigningOutTheOldSessionCookieOpensNothing() {
    signInAsOperator();
    List<Cookie> signedIn = page.context().cookies();

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
    page.context().clearCookies();
    page.context().addCookies(signedIn);
    page.navigate(turnout.admin() + "/");

    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
    assertThat(page.url()).endsWith("/login");
  }

  @Test
  void aSessionMadeOnOneControlPlaneWorksOnAnotherAndSigningOutThereEndsItHere() {
    String other = turnout.anotherControlPlane();
    signInAsOperator();

    page.navigate(other + "/");
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Overview"))).isVisible();
    List<Cookie> signedIn = page.context().cookies();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
    page.context().clearCookies();
    page.context().addCookies(signedIn);

    // the first control plane may answer from its short session cache for up to two seconds
    Await.until(
        "the first control plane refuses the signed-out session",
        Duration.ofSeconds(15),
        () -> {
          page.navigate(turnout.admin() + "/");
          return page.url().endsWith("/login");
        });
  }
}
