package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.IdentifierConfig;
import dev.turnout.dtab.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The HTTP identifiers of dtab.md section 4 (I01-I14). */
class IdentifierTest {
  private static final Path SVC = Path.read("/svc");

  private static RequestHead req(String method, String path, String version, Map<String, String> headers) {
    return RequestHead.of(method, path, "", version, name -> {
      for (Map.Entry<String, String> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    });
  }

  private static Identifier id(String kind, String header, String prefix, int segments, boolean consume, boolean uri) {
    return Identifier.of(new IdentifierConfig(kind, header, prefix == null ? null : Path.read(prefix), segments, consume, uri, null), SVC);
  }

  private static Optional<String> name(Identifier i, RequestHead r) {
    return i.identify(r).map(x -> x.service().show());
  }

  @Test
  void headerTokenNamesTheServiceByHost() {
    assertThat(name(id("io.l5d.header.token", null, null, 0, false, false), req("GET", "/", "HTTP/1.1", Map.of("Host", "users"))))
        .contains("/svc/users");
  }

  @Test
  void headerTokenNamesEachRequestByItsOwnHostWhenHostsAlternateOrRepeat() {
    Identifier hosts = id("io.l5d.header.token", null, null, 0, false, false);

    for (String host : new String[] {"users", "users", "web", "users", "web", "web", " users "}) {
      assertThat(name(hosts, req("GET", "/", "HTTP/1.1", Map.of("Host", new String(host)))))
          .as(host).contains("/svc/" + host.strip());
    }
    assertThat(name(hosts, req("GET", "/", "HTTP/1.1", Map.of()))).isEmpty();
    assertThat(name(hosts, req("GET", "/", "HTTP/1.1", Map.of("Host", "web")))).contains("/svc/web");
  }

  @Test
  void headerTokenUsesTheConfiguredHeaderAndPrefix() {
    assertThat(name(id("io.l5d.header.token", "my-header", "/http", 0, false, false), req("GET", "/", "HTTP/1.1", Map.of("my-header", "foo"))))
        .contains("/http/foo");
  }

  @Test
  void headerReadsItsValueAsAPath() {
    assertThat(name(id("io.l5d.header", "my-header", "/http", 0, false, false), req("GET", "/", "HTTP/1.1", Map.of("my-header", "/a/b/c"))))
        .contains("/http/a/b/c");
  }

  @Test
  void absentOrEmptyHeaderIsUnidentified() {
    Identifier i = id("io.l5d.header", null, null, 0, false, false);

    assertThat(i.identify(req("GET", "/", "HTTP/1.1", Map.of()))).isEmpty();
    assertThat(i.identify(req("GET", "/", "HTTP/1.1", Map.of("l5d-name", "")))).isEmpty();
  }

  @Test
  void methodAndHostWithUriInDst() {
    assertThat(name(id("io.l5d.methodAndHost", null, "/https", 0, false, true), req("GET", "/some/path", "HTTP/1.1", Map.of("Host", "domain"))))
        .contains("/https/1.1/GET/domain/some/path");
  }

  @Test
  void methodAndHostOnHttp10HasNoHost() {
    assertThat(name(id("io.l5d.methodAndHost", null, "/prefix", 0, false, false), req("POST", "/drum/bass", "HTTP/1.0", Map.of())))
        .contains("/prefix/1.0/POST");
  }

  @Test
  void methodAndHostWithoutHostOnHttp11IsUnidentified() {
    assertThat(id("io.l5d.methodAndHost", null, null, 0, false, false).identify(req("GET", "/", "HTTP/1.1", Map.of()))).isEmpty();
  }

  @Test
  void pathTakesTheFirstSegments() {
    assertThat(name(id("io.l5d.path", null, "/http", 2, false, false), req("GET", "/mysvc/subsvc/some/path", "HTTP/1.1", Map.of())))
        .contains("/http/mysvc/subsvc");
  }

  @Test
  void pathWithConsumeForwardsTheRest() {
    Identifier i = id("io.l5d.path", null, null, 2, true, false);

    assertThat(i.identify(req("GET", "/mysvc/subsvc", "HTTP/1.1", Map.of())).orElseThrow().rewrittenPath()).contains("/");
    assertThat(i.identify(req("GET", "/a/b/c/d", "HTTP/1.1", Map.of())).orElseThrow().rewrittenPath()).contains("/c/d");
  }

  @Test
  void pathWithTooFewSegmentsIsUnidentified() {
    assertThat(id("io.l5d.path", null, null, 2, false, false).identify(req("GET", "/mysvc", "HTTP/1.1", Map.of()))).isEmpty();
  }

  @Test
  void identifiersAreTriedInOrder() {
    Identifier first = id("io.l5d.header", "x-name", null, 0, false, false);
    Identifier second = id("io.l5d.header.token", null, null, 0, false, false);

    Identifier both = Identifier.firstOf(List.of(first, second));

    assertThat(name(both, req("GET", "/", "HTTP/1.1", Map.of("Host", "users")))).contains("/svc/users");
    assertThat(name(both, req("GET", "/", "HTTP/1.1", Map.of("Host", "users", "x-name", "/orders")))).contains("/svc/orders");
  }

  @Test
  void staticNamesEveryRequestItsPathUnderTheDstPrefix() {
    Identifier i = Identifier.of(new IdentifierConfig("io.l5d.static", null, null, 0, false, false, Path.read("/foo/bar")), SVC);

    assertThat(name(i, req("GET", "/", "HTTP/1.1", Map.of()))).contains("/svc/foo/bar");
  }

  @Test
  void headerTokenKeepsTheHostPortAndCase() {
    Identifier i = id("io.l5d.header.token", null, null, 0, false, false);

    assertThat(name(i, req("GET", "/", "HTTP/1.1", Map.of("Host", "Users:8080")))).contains("/svc/Users:8080");
  }

  @Test
  void headerWithTheRootPathNamesTheDstPrefixItself() {
    Identifier i = id("io.l5d.header", null, null, 0, false, false);

    assertThat(name(i, req("GET", "/", "HTTP/1.1", Map.of("l5d-name", "/")))).contains("/svc");
  }

  @Test
  void headerThatIsNotAPathFailsIdentificationWithoutTryingTheNext() {
    Identifier both =
        Identifier.firstOf(List.of(id("io.l5d.header", null, null, 0, false, false), id("io.l5d.header.token", null, null, 0, false, false)));

    assertThatThrownBy(() -> both.identify(req("GET", "/", "HTTP/1.1", Map.of("l5d-name", "not a path", "Host", "users"))))
        .isInstanceOf(IdentificationException.class)
        .hasMessageContaining("l5d-name header is not a path");
  }

  @Test
  void methodAndHostLowerCasesTheHostAndKeepsItsPort() {
    assertThat(name(id("io.l5d.methodAndHost", null, null, 0, false, false), req("GET", "/", "HTTP/1.1", Map.of("Host", "Web.Example:8080"))))
        .contains("/svc/1.1/GET/web.example:8080");
  }

  @Test
  void methodAndHostOnHttp10WithUriInDstAppendsThePath() {
    assertThat(name(id("io.l5d.methodAndHost", null, null, 0, false, true), req("GET", "/a/b", "HTTP/1.0", Map.of("Host", "web"))))
        .contains("/svc/1.0/GET/a/b");
  }

  @Test
  void methodAndHostDoesNotApplyToOtherHttpVersions() {
    assertThat(id("io.l5d.methodAndHost", null, null, 0, false, false).identify(req("GET", "/", "HTTP/2.0", Map.of("Host", "web")))).isEmpty();
  }

  @Test
  void methodAndHostWithUriInDstAndTheRootPathAddsNothing() {
    assertThat(name(id("io.l5d.methodAndHost", null, null, 0, false, true), req("GET", "/", "HTTP/1.1", Map.of("Host", "web"))))
        .contains("/svc/1.1/GET/web");
  }

  @Test
  void methodAndHostWithUriInDstFailsOnAPathThatIsNotOne() {
    Identifier i = id("io.l5d.methodAndHost", null, null, 0, false, true);

    assertThatThrownBy(() -> i.identify(req("GET", "/some/path/", "HTTP/1.1", Map.of("Host", "web"))))
        .isInstanceOf(IdentificationException.class);
  }

  @Test
  void pathTakesSegmentsAsTheyAreWithoutParsingThem() {
    assertThat(name(id("io.l5d.path", null, null, 1, false, false), req("GET", "/a b!/x", "HTTP/1.1", Map.of())))
        .contains("/svc/\\x61\\x20\\x62\\x21");
  }

  @Test
  void pathIgnoresATrailingSlashWhenCounting() {
    assertThat(id("io.l5d.path", null, null, 2, false, false).identify(req("GET", "/mysvc/", "HTTP/1.1", Map.of()))).isEmpty();
  }

  @Test
  void pathConsumeKeepsInnerEmptySegmentsAndATrailingSlash() {
    Identifier i = id("io.l5d.path", null, null, 1, true, false);

    assertThat(i.identify(req("GET", "/a/b//c/", "HTTP/1.1", Map.of())).orElseThrow().rewrittenPath()).contains("/b//c/");
    assertThat(i.identify(req("GET", "/a/", "HTTP/1.1", Map.of())).orElseThrow().rewrittenPath()).contains("/");
  }
}
