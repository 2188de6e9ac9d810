package dev.turnout.e2e;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every browser test class shares: one Turnout and one Chromium for the class, a fresh page (and
 * so a fresh session) for each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DashboardTest {
  Turnout turnout;
  Chromium chromium;
  Page page;

  @BeforeAll
  void startTurnout(@TempDir Path dir) {
    // Assertions on the page wait for htmx to swap in the server's answer; Playwright's 5 s default is
    // tight for a browser, Turnout and its demo traffic sharing two busy cores. A passing check still
    // returns as soon as the page shows it.
    PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    turnout = Turnout.start(dir, overHttps());
    chromium = Chromium.launch();
  }

  @BeforeEach
  void openPage() {
    page = overHttps()
        ? chromium.browser.newPage(new com.microsoft.playwright.Browser.NewPageOptions()
            .setViewportSize(1280, 900).setIgnoreHTTPSErrors(true))
        : Screens.open(chromium.browser, 1280);
  }

  /** True for a class whose Turnout serves its admin port over HTTPS, with a test CA's certificate. */
  boolean overHttps() {
    return false;
  }

  @AfterEach
  void closePage() {
    page.context().close();
  }

  @AfterAll
  void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (turnout != null) {
      turnout.close();
    }
  }

  void signInAsOperator() {
    Screens.signIn(page, turnout.admin(), Turnout.OPERATOR, Turnout.PASSWORD);
  }

  void signInAsViewer() {
    Screens.signIn(page, turnout.admin(), Turnout.VIEWER, Turnout.PASSWORD);
  }

  String editorUrl() {
    return turnout.admin() + "/dtabs/" + Turnout.NAMESPACE;
  }
}
