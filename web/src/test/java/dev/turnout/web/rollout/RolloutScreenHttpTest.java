package dev.turnout.web.rollout;

import static dev.turnout.web.rollout.RolloutRig.CANARY;
import static dev.turnout.web.rollout.RolloutRig.NS;
import static dev.turnout.web.rollout.RolloutRig.STABLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.PerTest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RolloutScreenHttpTest {
  @RegisterExtension final PerTest<RolloutScreenRig> screen = PerTest.of(RolloutScreenRig::new);

  private static Map<String, String> form(String steps, String minSuccess) {
    return Map.of("service", "/svc/users", "canary", CANARY, "steps", steps, "stepSeconds", "60",
        "minSuccessRate", minSuccess, "maxP99Ms", "500", "maxP99Ratio", "0", "minRequests", "100",
        "gateBefore", "0");
  }

  @Test
  void theEditorOffersARolloutPrefilledFromTheDentryAndItsCanaryBranch() {
    RolloutScreenRig s = screen.get();
    s.rig.store.update(NS, "/svc => /#/io.l5d.fs;\n/svc/users => 100 * " + STABLE + " & 0 * " + CANARY + ";\n",
        java.util.Optional.empty(), "alice", "canary at 0%");
    RolloutScreenRig.Browser b = s.signIn("admin");

    String editor = b.get("/dtabs/default").body();
    String link = editor.replaceAll("(?s).*href=\"([^\"]*)\">Start a rollout of /svc/users.*", "$1").replace("&amp;", "&");
    String page = b.get(link.substring(0, link.indexOf('#'))).body();

    assertThat(link).isEqualTo("/dtabs/default/rollouts?service=%2Fsvc%2Fusers&canary=%2F%23%2Fio.l5d.fs%2Fusers-v2#start");
    assertThat(page).contains("name=\"service\" value=\"/svc/users\"", "name=\"canary\" value=\"" + CANARY + "\"",
        "name=\"steps\" value=\"5, 20, 50, 100\"");
  }

  @Test
  void startingFromTheFormCommitsTheFirstStepAndShowsThePanel() {
    RolloutScreenRig s = screen.get();
    RolloutScreenRig.Browser b = s.signIn("admin");
    b.get("/dtabs/default/rollouts");

    HttpResponse<String> started = b.post("/dtabs/default/rollouts", form("5 20 50 100", "99"), false);
    String page = b.get("/dtabs/default/rollouts").body();

    assertThat(started.statusCode()).isEqualTo(303);
    assertThat(started.headers().firstValue("Location")).hasValue("/dtabs/default/rollouts#rollout-1");
    assertThat(s.rig.dtab()).contains("/svc/users => 95 * " + STABLE + " & 5 * " + CANARY);
    assertThat(page).contains("data-testid=\"rollout-state\">running<", "data-testid=\"rollout-weight\">5%<",
        "min 99%", "max 500 ms", ">Pause<", ">Abort and restore the stable<");
    assertThat(page).contains("class=\"threshold\"");
  }

  @Test
  void aBadStartIsRefusedWithItsMessageAndWritesNothing() {
    RolloutScreenRig s = screen.get();
    RolloutScreenRig.Browser b = s.signIn("admin");
    b.get("/dtabs/default/rollouts");

    HttpResponse<String> rising = b.post("/dtabs/default/rollouts", form("50, 20, 100", "99"), true);
    HttpResponse<String> rate = b.post("/dtabs/default/rollouts", form("5, 100", "150"), true);
    Map<String, String> noDentry = new java.util.HashMap<>(form("5, 100", "99"));
    noDentry.put("service", "/svc/orders");
    HttpResponse<String> missing = b.post("/dtabs/default/rollouts", noDentry, true);

    assertThat(rising.statusCode()).isEqualTo(400);
    assertThat(rising.body()).contains("Not started: steps must be rising percents");
    assertThat(rate.statusCode()).isEqualTo(400);
    assertThat(rate.body()).contains("minSuccessRate must be between 0 and 1");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("No dentry of 'default' has the prefix /svc/orders");
    assertThat(s.rig.store.versions(NS)).hasSize(1);
    assertThat(s.rig.driver.list(NS)).isEmpty();
  }

  @Test
  void aFailingCanaryShowsTheRollbackItsReasonAndTheFailedStep() {
    RolloutScreenRig s = screen.get();
    s.rig.traffic(CANARY, 40, 4, 80);
    s.rig.traffic(STABLE, 400, 0, 60);
    Rollout r = s.rig.driver.start(NS, RolloutRig.spec(List.of(5, 20, 50, 100)));
    s.rig.runUntil(r.id(), x -> !x.state().active(), 50);
    RolloutScreenRig.Browser b = s.signIn("admin");

    String panel = b.get("/dtabs/default/rollouts/" + r.id(), true).body();

    assertThat(panel).doesNotContain("<html").doesNotContain("hx-trigger");
    assertThat(panel).contains("data-testid=\"rollout-state\">rolled-back<",
        "success rate 90% &lt; 99% over 240 requests at step 1, 5%");
    assertThat(panel).contains("<tr class=\"step-failed\" data-step=\"1\">", "<tr class=\"step-planned\" data-step=\"2\">");
    assertThat(panel).contains("class=\"step-bar bad\"").doesNotContain(">Pause<");
    assertThat(s.rig.dtab()).isEqualTo(RolloutRig.DTAB);
  }

  @Test
  void anActiveRolloutsPanelRefreshesItselfAndShowsLiveFiguresAgainstTheGuardrails() {
    RolloutScreenRig s = screen.get();
    s.rig.traffic(CANARY, 40, 4, 700);
    Rollout r = s.rig.driver.start(NS, RolloutRig.spec(List.of(5, 20, 50, 100)));
    RolloutScreenRig.Browser b = s.signIn("watcher");

    String panel = b.get("/dtabs/default/rollouts/" + r.id(), true).body();

    assertThat(panel).contains("hx-get=\"/dtabs/default/rollouts/1\"", "hx-trigger=\"every 2s\"");
    assertThat(panel).contains("<td class=\"bad\">90%");
    assertThat(panel).containsPattern("<td class=\"bad\">70[0-9.]+ ms"); // histograms keep two digits
    assertThat(panel).doesNotContain(">Pause<").doesNotContain("_csrf");
  }

  @Test
  void anOperatorPausesResumesAndAbortsFromThePanel() {
    RolloutScreenRig s = screen.get();
    Rollout r = s.rig.driver.start(NS, RolloutRig.spec(List.of(5, 20, 50, 100)));
    RolloutScreenRig.Browser b = s.signIn("admin");
    b.get("/dtabs/default/rollouts");
    String base = "/dtabs/default/rollouts/" + r.id();

    HttpResponse<String> paused = b.post(base + "/pause", Map.of(), true);
    HttpResponse<String> resumed = b.post(base + "/resume", Map.of(), true);
    HttpResponse<String> aborted = b.post(base + "/abort", Map.of(), true);
    HttpResponse<String> again = b.post(base + "/abort", Map.of(), true);

    assertThat(paused.body()).contains("rollout-state\">paused<", "paused by admin", ">Resume<");
    assertThat(resumed.body()).contains("rollout-state\">running<", ">Pause<");
    assertThat(aborted.body()).contains("rollout-state\">aborted<", "aborted by admin");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(s.rig.dtab()).isEqualTo(RolloutRig.DTAB);
  }

  @Test
  void aViewerAndAForeignCsrfTokenCannotActOnARollout() {
    RolloutScreenRig s = screen.get();
    Rollout r = s.rig.driver.start(NS, RolloutRig.spec(List.of(5, 20, 50, 100)));
    RolloutScreenRig.Browser viewer = s.signIn("watcher");
    viewer.get("/dtabs/default/rollouts");
    RolloutScreenRig.Browser operator = s.signIn("admin");
    operator.get("/dtabs/default/rollouts");
    operator.csrf = "not-the-session-token";

    HttpResponse<String> byViewer = viewer.post("/dtabs/default/rollouts/" + r.id() + "/abort", Map.of(), true);
    HttpResponse<String> forged = operator.post("/dtabs/default/rollouts/" + r.id() + "/abort", Map.of(), true);

    assertThat(byViewer.statusCode()).isEqualTo(403);
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(s.rig.driver.get(NS, r.id()).state()).isEqualTo(Rollout.State.RUNNING);
  }
}
