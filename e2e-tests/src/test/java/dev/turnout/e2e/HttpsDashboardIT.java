package dev.turnout.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import dev.turnout.testing.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's main flow once over HTTPS: Turnout's admin port with {@code admin.tls} (a test CA's
 * certificate for 127.0.0.1, which the browser is told to accept), signing in, the overview, a dtab
 * edit that moves traffic, and a rollback from the history.
 */
class HttpsDashboardIT extends DashboardTest {

  @Override
  boolean overHttps() {
    return true;
  }

  @Test
  void theSignInPageIsServedOverHttpsWithStrictTransportSecurity() {
    Response login = page.navigate(turnout.admin() + "/login");

    assertThat(turnout.admin()).startsWith("https://");
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.headerValue("strict-transport-security")).isEqualTo("max-age=31536000");
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
  }

  @Test
  void anOperatorSignsInOverHttpsAndEveryCookieIsSecure() {
    signInAsOperator();

    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Overview"))).isVisible();
    assertThat(page.getByText("Router web")).isVisible();
    List<Cookie> cookies = page.context().cookies();
    assertThat(cookies).extracting(c -> c.name).contains("turnout_session");
    assertThat(cookies).allSatisfy(c -> assertThat(c.secure).as("cookie %s is Secure", c.name).isTrue());
    assertThat(cookies).filteredOn(c -> c.name.equals("turnout_session"))
        .allSatisfy(c -> assertThat(c.httpOnly).as("the session cookie is HttpOnly").isTrue());
    Response overview = page.navigate(turnout.admin() + "/");
    assertThat(overview.headerValue("strict-transport-security")).isEqualTo("max-age=31536000");
  }

  @Test
  void aDtabEditOverHttpsMovesTrafficAndARollbackFromTheHistoryMovesItBack() {
    signInAsOperator();
    assertThat(turnout.percentTo(turnout.users, "users", 20)).isEqualTo(100.0);

    page.navigate(editorUrl());
    Locator usersDentry = page.locator("li.dentry").filter(new Locator.FilterOptions().setHasText("/svc/users"));
    usersDentry.getByText("Start a canary").click();
    page.getByLabel("New destination for /svc/users").fill("/#/io.l5d.fs/users-v2");
    usersDentry.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create canary")).click();
    page.getByLabel("Weight of /#/io.l5d.fs/users-v2").fill("100");
    assertThat(page.getByLabel("Weight of /#/io.l5d.fs/users", new Page.GetByLabelOptions().setExact(true))).hasValue("0");
    page.getByLabel("Comment").fill("all of users to v2, over https");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Commit").setExact(true)).click();
    assertThat(page.getByText("Committed version 2.")).isVisible();

    Await.until("users goes to v2", Duration.ofSeconds(10), () -> turnout.percentTo(turnout.usersV2, "users", 10) == 100.0);

    page.navigate(editorUrl() + "/history");
    assertThat(page.locator("table.history > tbody > tr")).hasCount(2);
    page.onceDialog(dialog -> dialog.accept());
    page.locator("tr[data-version='1']")
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Roll back to this version"))
        .click();
    assertThat(page.getByText("Rolled back: version 3 is now in force.", new Page.GetByTextOptions().setExact(false))).isVisible();

    Await.until("users is back on v1", Duration.ofSeconds(10), () -> turnout.percentTo(turnout.users, "users", 10) == 100.0);
    page.navigate(turnout.admin() + "/");
    assertThat(page.getByTestId("dtab-version")).hasText("v3");
    Screens.shot(page, "https-overview-after-rollback");
  }
}
