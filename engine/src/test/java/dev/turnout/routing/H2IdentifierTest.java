package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.IdentifierConfig;
import dev.turnout.dtab.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The h2 identifier io.l5d.header.path, as Linkerd's HeaderPathIdentifier reads :path. */
class H2IdentifierTest {
  private static final Path SVC = Path.read("/svc");

  private static Optional<String> name(int segments, String path) {
    Identifier i = Identifier.of(new IdentifierConfig("io.l5d.header.path", ":path", SVC, segments, false, false, null), SVC);
    Map<String, String> headers = path == null ? Map.of() : Map.of(":path", path);
    return i.identify(RequestHead.of("POST", "/", "", "HTTP/2.0", headers::get)).map(id -> id.service().show());
  }

  @Test
  void oneSegmentOfAGrpcPathIsItsService() {
    assertThat(name(1, "/helloworld.Greeter/SayHello")).hasValue("/svc/helloworld.Greeter");
  }

  @Test
  void withoutSegmentsTheWholePathNamesTheServiceItsQueryAndTrailingSlashDropped() {
    assertThat(name(0, "/a/b/?x=1")).hasValue("/svc/a/b");
  }

  @Test
  void aPathShorterThanItsSegmentsOrAbsentDoesNotApply() {
    assertThat(name(3, "/a/b")).isEmpty();
    assertThat(name(1, null)).isEmpty();
    assertThat(name(1, "/")).isEmpty();
  }

  @Test
  void aPathThatIsNotOneInDtabSyntaxFailsIdentification() {
    assertThatThrownBy(() -> name(1, "/a//b")).isInstanceOf(IdentificationException.class);
  }
}
