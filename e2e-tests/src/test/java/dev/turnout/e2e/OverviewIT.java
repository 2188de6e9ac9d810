package dev.turnout.e2e;

import dev.turnout.testing.Await;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OverviewIT extends DashboardTest {

  @Test
  void liveNumbersChangeWithoutAReload() {
    for (int i = 0; i < 20; i++) {
      turnout.request("users");
    }
    signInAsOperator();
    AtomicInteger navigations = new AtomicInteger();
    page.onFrameNavigated(f -> navigations.incrementAndGet());
    Locator usersRate = page.locator("article[data-service='/svc/users'] tbody tr td.rate").first();
    assertThat(usersRate).isVisible();
    String before = usersRate.textContent();
    String asOfBefore = page.getByTestId("as-of").textContent();

    Await.until("the request rate moves on the page", Duration.ofSeconds(15), () -> {
      for (int i = 0; i < 10; i++) {
        turnout.request("users");
      }
      return !usersRate.textContent().equals(before);
    });

    assertThat(page.getByTestId("as-of")).not().hasText(asOfBefore);
    assertThat(navigations.get()).isZero();
    Screens.shot(page, "09-overview-live");
  }

  @Test
  void everyScreenFitsAt800PixelsAndEveryControlHasAName() {
    page.setViewportSize(800, 900);
    signInAsOperator();
    for (String[] screen : List.of(
        new String[] {"/", "10-overview-800"},
        new String[] {"/dtabs/" + Turnout.NAMESPACE, "11-editor-800"},
        new String[] {"/dtabs/" + Turnout.NAMESPACE + "/history", "12-history-800"},
        new String[] {"/recent", "13-recent-800"})) {
      page.navigate(turnout.admin() + screen[0]);

      Object overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
      Object unnamed = page.evaluate(UNNAMED_CONTROLS);

      assertThat(((Number) overflow).intValue()).as("horizontal overflow of " + screen[0]).isLessThanOrEqualTo(0);
      assertThat((List<?>) unnamed).as("controls without an accessible name on " + screen[0]).isEmpty();
      Screens.shot(page, screen[1]);
    }
  }

  @Test
  void recentRequestsShowWhereEachRequestWentAndRefreshInPlace() {
    turnout.request("users");
    signInAsOperator();
    AtomicInteger navigations = new AtomicInteger();
    page.onFrameNavigated(f -> navigations.incrementAndGet());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Recent requests")).click();
    Locator rows = page.getByTestId("recent-row");
    assertThat(rows.first()).containsText("/svc/users");
    int before = navigations.get();

    turnout.request("users-v2");

    assertThat(page.getByTestId("recent-row").filter(new Locator.FilterOptions().setHasText("/svc/users-v2")).first())
        .isVisible();
    assertThat(navigations.get()).isEqualTo(before);
    Screens.shot(page, "14-recent-requests");
  }

  @Test
  void theEditorIsUsableFromTheKeyboard() {
    signInAsOperator();
    page.navigate(turnout.admin() + "/dtabs/" + Turnout.NAMESPACE);
    page.getByLabel("Dtab", new Page.GetByLabelOptions().setExact(true)).focus();

    page.keyboard().press("Tab");

    assertThat(page.locator("*:focus")).hasAttribute("id", "path");
  }

  /** Inputs, buttons, summaries and text areas with neither a label, an aria-label nor text. */
  private static final String UNNAMED_CONTROLS =
      "() => Array.from(document.querySelectorAll('input:not([type=hidden]), button, textarea, select, summary, a[href]'))"
          + ".filter(e => !((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.textContent || '').trim()))"
          + ".map(e => e.outerHTML.slice(0, 120))";
}
