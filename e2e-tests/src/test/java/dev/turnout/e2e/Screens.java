package dev.turnout.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Path;

/** Pages of the dashboard as a test drives them, and screenshots of them under {@code target/screens}. */
final class Screens {
  static final Path DIR = Path.of("target", "screens");

  private Screens() {}

  static Page open(Browser browser, int width) {
    return browser.newPage(new Browser.NewPageOptions().setViewportSize(width, 900));
  }

  static void signIn(Page page, String adminUrl, String name, String password) {
    page.navigate(adminUrl + "/");
    page.getByLabel("Name").fill(name);
    page.getByLabel("Password").fill(password);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    page.waitForURL(adminUrl + "/");
  }

  static void shot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(DIR.resolve(name + ".png")).setFullPage(true));
  }
}
