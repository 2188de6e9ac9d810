package dev.turnout.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import org.junit.jupiter.api.Test;

class SignInIT extends DashboardTest {

  @Test
  void anOperatorSignsInAndSeesEveryRouter() {
    page.navigate(turnout.admin() + "/");
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
    Screens.shot(page, "01-sign-in");

    signInAsOperator();

    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Overview"))).isVisible();
    assertThat(page.getByText("Router web")).isVisible();
  }

  @Test
  void aWrongPasswordIsRefusedWithAMessage() {
    page.navigate(turnout.admin() + "/login");
    page.getByLabel("Name").fill(Turnout.OPERATOR);
    page.getByLabel("Password").fill("not the password");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();

    assertThat(page.getByRole(AriaRole.ALERT)).hasText("Wrong name or password.");
    Screens.shot(page, "02-sign-in-refused");
  }

  @Test
  void aViewerSeesNoWriteControlsAndTheServerRefusesTheirWrites() {
    signInAsViewer();

    page.navigate(editorUrl());
    assertThat(page.getByLabel("Dtab", new Page.GetByLabelOptions().setExact(true))).not().isEditable();
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Commit"))).hasCount(0);
    assertThat(page.getByRole(AriaRole.SLIDER)).hasCount(0);
    assertThat(page.getByText("Start a canary")).hasCount(0);
    Screens.shot(page, "03-viewer-editor");
    page.navigate(editorUrl() + "/history");
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Roll back to this version"))).hasCount(0);

    String csrf = page.locator("meta[name=csrf-token]").getAttribute("content");
    APIResponse refused =
        page.request()
            .post(
                editorUrl() + "/commit",
                RequestOptions.create()
                    .setForm(
                        FormData.create()
                            .set("_csrf", csrf)
                            .set("text", "/svc => /#/io.l5d.fs/web;")
                            .set("base_etag", turnout.etag())));

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.text()).contains("viewer");
    assertThat(turnout.percentTo(turnout.web, "users", 20)).isZero();
  }

  @Test
  void aWriteWithoutTheSessionsCsrfTokenIsRefused() {
    signInAsOperator();
    page.navigate(editorUrl());

    APIResponse refused =
        page.request()
            .post(
                editorUrl() + "/commit",
                RequestOptions.create()
                    .setForm(FormData.create().set("_csrf", "forged").set("text", "/svc => /#/io.l5d.fs/web;")));

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.text()).contains("security token");
  }
}
