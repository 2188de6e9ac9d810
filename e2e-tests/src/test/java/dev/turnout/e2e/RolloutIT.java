package dev.turnout.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.turnout.testing.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A rollout started in the page, to a canary that answers every request 500, rolls itself back while
 * the operator watches: the panel, refreshing itself, turns to rolled-back with the failed guardrail as
 * its reason, and the proxy sends all of the traffic to the stable again. Real Turnout, real backends,
 * real traffic through the proxy and the fleet's real figures; real time (steps of 5 s, judged on the
 * figures' 10 s samples).
 */
class RolloutIT extends DashboardTest {

  @Test
  void aRolloutToAFailingCanaryRollsItselfBackInThePageWithTheReason() throws Exception {
    signInAsOperator();
    page.navigate(editorUrl());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Start a rollout of /svc/users")).click();
    assertThat(page.getByLabel("Service (dentry prefix)")).hasValue("/svc/users");
    page.getByLabel("Canary destination").fill("/#/io.l5d.fs/users-broken");
    page.getByLabel("Steps (percent)").fill("50, 100");
    page.getByLabel("Seconds per step").fill("5");
    page.getByLabel("Min requests to judge").fill("20");

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger sent = new AtomicInteger();
    // Traffic flows until the rollback is seen: the driver judges the last 10 s of requests, so traffic
    // that stopped early (a cap on its count, on a fast run) would leave the step nothing to judge.
    Thread traffic = new Thread(() -> {
      long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (!stop.get() && System.nanoTime() < until) {
        turnout.request("users");
        sent.incrementAndGet();
      }
    }, "rollout-traffic");
    traffic.setDaemon(true);
    traffic.start();
    long started = System.nanoTime();
    try {
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start rollout")).click();
      Locator state = page.getByTestId("rollout-state");
      assertThat(state).hasText("running");
      assertThat(page.getByTestId("rollout-weight")).hasText("50%");
      Screens.shot(page, "20-rollout-running");

      assertThat(state).hasText("rolled-back", new LocatorAssertions.HasTextOptions().setTimeout(60_000));
      System.out.printf("rollout rolled back %.1f s after it started, %d requests sent%n",
          (System.nanoTime() - started) / 1e9, sent.get());
      assertThat(page.getByTestId("rollout-reason"))
          .containsText(java.util.regex.Pattern.compile("success rate \\d+(\\.\\d)?% < 99% over \\d+ requests at step 1, 50%"));
      assertThat(page.locator("tr[data-step='1'] td.verdict")).containsText("success rate");
      assertThat(page.locator("svg rect.step-bar.bad")).hasCount(1);
      Screens.shot(page, "21-rollout-rolled-back");
    } finally {
      stop.set(true);
      traffic.join(10_000);
    }
    Await.until("all of users is back on the stable", Duration.ofSeconds(10),
        () -> turnout.percentTo(turnout.users, "users", 20) == 100.0);
    page.navigate(editorUrl() + "/history");
    assertThat(page.locator("table.history > tbody > tr")).hasCount(3);
    assertThat(page.locator("table.history > tbody > tr").first()).containsText("rolled back: success rate");
  }
}
