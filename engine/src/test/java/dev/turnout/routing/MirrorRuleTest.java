package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorRuleTest {

  @Test
  void directiveLinesBecomeRulesAndTheDtabParserIgnoresThem() {
    String text = "/svc => /#/io.l5d.fs;\n#@mirror /svc/users => /#/io.l5d.fs/users-shadow 10%\n# plain comment\n";

    List<MirrorRule> rules = MirrorRule.parseAll(text);

    assertThat(rules).containsExactly(new MirrorRule(Path.read("/svc/users"), Path.read("/#/io.l5d.fs/users-shadow"), 10));
    assertThat(Dtab.read(text).size()).isEqualTo(1);
  }

  @Test
  void showReadsBackAsTheSameRule() {
    MirrorRule rule = new MirrorRule(Path.read("/svc/a"), Path.read("/$/inet/127.0.0.1/9000"), 2.5);

    assertThat(MirrorRule.parseAll(rule.show())).containsExactly(rule);
  }

  @Test
  void ruleCoversServicesUnderItsPrefix() {
    MirrorRule rule = new MirrorRule(Path.read("/svc/users"), Path.read("/x"), 5);

    assertThat(rule.covers(Path.read("/svc/users/v1"))).isTrue();
    assertThat(rule.covers(Path.read("/svc/usersx"))).isFalse();
  }

  @Test
  void missingPercentSignIsReportedWithItsLine() {
    assertThatThrownBy(() -> MirrorRule.parseAll("/a => /b;\n#@mirror /svc => /x 10"))
        .isInstanceOf(MirrorRuleException.class)
        .hasMessage("line 2: percentage must end with '%', not '10'");
  }

  @Test
  void percentOutOfRangeIsRejected() {
    assertThatThrownBy(() -> MirrorRule.parseAll("#@mirror /svc => /x 150%"))
        .hasMessageContaining("at most 100%");
  }

  @Test
  void missingArrowIsRejected() {
    assertThatThrownBy(() -> MirrorRule.parseAll("#@mirror /svc /x 10%"))
        .hasMessageContaining("expected '#@mirror <service-prefix> => <destination> <percent>%'");
  }

  @Test
  void badPathIsRejectedWithTheParserMessage() {
    assertThatThrownBy(() -> MirrorRule.parseAll("#@mirror svc => /x 10%"))
        .isInstanceOf(MirrorRuleException.class)
        .hasMessageStartingWith("line 1: service prefix is not a path");
  }
}
