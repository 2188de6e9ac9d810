package dev.turnout.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Starts headless Chromium through Playwright. This machine cannot download Playwright's own browsers,
 * so the system's Chromium is used when there is one ({@code CHROME_PATH}, {@code CHROMIUM_PATH}, then
 * the usual install paths); only when there is none does Playwright fall back to its own download.
 */
final class Chromium implements AutoCloseable {
  private static final List<String> ARGS =
      List.of(
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run");

  final Playwright playwright;
  final Browser browser;

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  static Chromium launch() {
    Playwright playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    BrowserType.LaunchOptions options = new BrowserType.LaunchOptions().setHeadless(true).setArgs(ARGS);
    systemChromium().ifPresent(options::setExecutablePath);
    try {
      return new Chromium(playwright, playwright.chromium().launch(options));
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  static Optional<Path> systemChromium() {
    return Stream.of(
            System.getenv("CHROME_PATH"),
            System.getenv("CHROMIUM_PATH"),
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome")
        .filter(p -> p != null && !p.isBlank())
        .map(Path::of)
        .filter(Files::isExecutable)
        .findFirst();
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
