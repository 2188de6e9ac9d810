package dev.turnout.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EditorIT extends DashboardTest {

  private Locator dtab() {
    return page.getByLabel("Dtab", new Page.GetByLabelOptions().setExact(true));
  }

  private Locator button(String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  @Test
  void anInvalidEditShowsTheParsersMessageAtItsLineAndColumnAndBlocksCommit() {
    signInAsOperator();
    page.navigate(editorUrl());
    assertThat(button("Commit")).isEnabled();

    dtab().fill("/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users\n/svc/web => /#/io.l5d.fs/web;\n");

    assertThat(page.getByTestId("parse-error")).containsText("Line 3, column 1:");
    assertThat(page.getByTestId("parse-error")).containsText("expected but '/' found");
    assertThat(button("Commit")).isDisabled();
    Screens.shot(page, "04-editor-invalid");

    dtab().fill("/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users;\n");

    assertThat(page.getByText("Valid dtab, 2 dentries.")).isVisible();
    assertThat(button("Commit")).isEnabled();
  }

  @Test
  void aCommitFromTheApiDuringAnEditIsShownAndNotOverwritten() {
    signInAsOperator();
    page.navigate(editorUrl());
    dtab().fill(Turnout.DTAB + "/svc/web => /#/io.l5d.fs/web;\n");
    assertThat(page.getByText("Valid dtab, 3 dentries.")).isVisible();
    String theirs = "# scripted\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users-v2;\n";
    assertThat(turnout.putDtab(theirs, Optional.of(turnout.etag())).statusCode()).isEqualTo(204);

    page.getByLabel("Comment").fill("route web by name");
    button("Commit").click();

    Locator conflict = page.locator(".notice.conflict");
    assertThat(conflict).containsText("Someone else committed first");
    assertThat(conflict).containsText("/#/io.l5d.fs/users-v2");
    assertThat(turnout.percentTo(turnout.usersV2, "users", 20)).isEqualTo(100.0);
    Screens.shot(page, "05-editor-conflict");

    button("Rebase my draft onto version 2").click();
    assertThat(page.getByText(Pattern.compile("now on top of version 2"))).isVisible();
    assertThat(dtab()).hasValue(Pattern.compile("(?s)# scripted.*users-v2.*/svc/web => /#/io.l5d.fs/web;"));
    button("Commit").click();

    assertThat(page.getByText("Committed version 3.")).isVisible();
    assertThat(turnout.percentTo(turnout.usersV2, "users", 20)).isEqualTo(100.0);
    assertThat(turnout.percentTo(turnout.web, "web", 20)).isEqualTo(100.0);
  }
}
