package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir java.nio.file.Path dir;

  private TurnoutConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, dir, dir.resolve("data"));
  }

  @Test
  void aLinkerdConfigWithFsNamerAndInetStartsAsItIs() throws Exception {
    Files.createDirectories(dir.resolve("disco"));

    TurnoutConfig config =
        parse(
            """
            admin: {ip: 127.0.0.1, port: 9990}
            namers:
            - kind: io.l5d.fs
              rootDir: disco
            routers:
            - protocol: http
              label: web
              dtab: |
                /svc => /#/io.l5d.fs;
                /svc/legacy => /$/inet/127.0.0.1/8080;
              servers: [{ip: 127.0.0.1, port: 4140, clearContext: true}]
            telemetry:
            - kind: io.l5d.prometheus
            usage: {enabled: false}
            """);

    assertThat(config.namers()).singleElement().satisfies(n -> {
      assertThat(n.prefix()).isEqualTo(Path.read("/#/io.l5d.fs"));
      assertThat(((NamerConfig.Fs) n).rootDir()).isEqualTo(dir.resolve("disco"));
    });
    RouterConfig web = config.routers().get(0);
    assertThat(web.label()).isEqualTo("web");
    assertThat(web.servers().get(0).clearContext()).isTrue();
    assertThat(web.identifiers().get(0).kind()).isEqualTo("io.l5d.header.token");
    assertThat(web.identifiers().get(0).header()).isEqualTo("Host");
    assertThat(web.dstPrefix()).isEqualTo(Path.read("/svc"));
    assertThat(config.telemetry()).containsExactly(PrometheusTelemetry.defaults());
    assertThat(config.warnings()).containsExactly("usage: not implemented by Turnout (ignored)");
  }

  @Test
  void twoRoutersBlocksAreRefusedNotMerged() {
    String yaml =
        "routers:\n- protocol: http\n  label: a\n  servers: [{port: 4141}]\n"
            + "admin: {port: 9991}\n"
            + "routers:\n- protocol: http\n  label: b\n";

    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("routers: given twice in one mapping (line 6");
  }

  @Test
  void aDuplicateKeyDeepInsideNamesItsYamlPath() {
    String yaml = "routers:\n- protocol: http\n  servers:\n  - port: 4141\n    port: 4142\n";

    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("routers[0].servers[0].port: given twice");
  }

  @Test
  void dtabOverridesIsReadPerServerAndCheckedForItsValue() {
    TurnoutConfig c = parse("routers:\n- protocol: http\n  servers:\n  - {port: 4141, dtabOverrides: refuse}\n  - {port: 4142}\n");

    assertThat(c.routers().get(0).servers().get(0).overrides()).isEqualTo(ServerConfig.Overrides.REFUSE);
    assertThat(c.routers().get(0).servers().get(1).overrides()).isEqualTo(ServerConfig.Overrides.ACCEPT);
    assertThatThrownBy(() -> parse("routers:\n- protocol: http\n  servers:\n  - {port: 4141, dtabOverrides: maybe}\n"))
        .hasMessageStartingWith("routers[0].servers[0].dtabOverrides: must be accept, loopback or refuse");
  }

  @Test
  void badPortNamesItsYamlPath() {
    assertThatThrownBy(() -> parse("routers:\n- protocol: http\n  servers: [{port: 70000}]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("routers[0].servers[0].port: must be 1-65535");
  }

  @Test
  void malformedDtabNamesLineAndColumn() {
    assertThatThrownBy(() -> parse("routers:\n- protocol: http\n  dtab: /svc => \n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("routers[0].dtab: 1:")
        .hasMessageContaining("simple expected but end of input found");
  }

  @Test
  void unknownKeysAreWarnedOnceAndIgnored() {
    TurnoutConfig config = parse("routers:\n- protocol: http\n  frobnicate: 1\n  frobnicate2: 2\n");

    assertThat(config.warnings())
        .containsExactly("routers[0].frobnicate: unknown key (ignored)", "routers[0].frobnicate2: unknown key (ignored)");
  }

  @Test
  void namerdInterpreterRoutesFromTheStoreNamespace() {
    RouterConfig r =
        parse("routers:\n- protocol: http\n  interpreter: {kind: io.l5d.namerd, namespace: prod}\n").routers().get(0);

    assertThat(r.interpreter()).isEqualTo(new InterpreterConfig(InterpreterConfig.STORE, "prod"));
  }

  @Test
  void inMemoryNamespacesSeedTheStore() {
    TurnoutConfig config =
        parse("storage:\n  kind: io.l5d.inMemory\n  namespaces:\n    default: /svc => /#/io.l5d.fs;\n");

    assertThat(config.storage().seeds()).containsEntry("default", "/svc => /#/io.l5d.fs;");
  }

  @Test
  void noFileMeansOneRouterOnTheLinkerdPorts() {
    TurnoutConfig config = ConfigLoader.defaults(dir);

    assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9990));
    assertThat(config.routers()).singleElement().satisfies(r -> assertThat(r.servers().get(0).port()).isEqualTo(4140));
  }

  @Test
  void invalidYamlSaysWhere() {
    assertThatThrownBy(() -> parse("routers: [\n  - {a: 1\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config is not valid YAML at line");
  }

  @Test
  void missingRootDirIsAnError() {
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.fs\n  rootDir: nowhere\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].rootDir:")
        .hasMessageContaining("is not a directory");
  }

  @Test
  void aClientGivesUpConnectingAfterASecondUnlessToldOtherwise() {
    TurnoutConfig defaults = parse("routers:\n- protocol: http\n");
    TurnoutConfig set = parse("routers:\n- protocol: http\n  client: {connectTimeoutMs: 250}\n");

    assertThat(defaults.routers().get(0).client().connectTimeout()).isEqualTo(java.time.Duration.ofSeconds(1));
    assertThat(set.routers().get(0).client().connectTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(set.warnings()).isEmpty();
    assertThatThrownBy(() -> parse("routers:\n- protocol: http\n  client: {connectTimeoutMs: 0}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("routers[0].client.connectTimeoutMs: must be at least 1 ms");
  }

  @Test
  void routerTlsOnServersAndTheGlobalClientIsReadAndDoesNotStopStartUp() {
    TurnoutConfig config =
        parse("admin: {tls: {certPath: a, keyPath: b}}\nrouters:\n- protocol: http\n"
            + "  servers: [{port: 4140, tls: {certPath: x, keyPath: y}}]\n"
            + "  client: {tls: {commonName: c}}\n");

    assertThat(config.warnings()).isEmpty();
    assertThat(config.admin().tls()).isPresent();
    assertThat(config.routers().get(0).servers().get(0).tls()).isPresent();
    assertThat(config.routers().get(0).client().tls()).hasValueSatisfying(t -> assertThat(t.commonName()).hasValue("c"));
    assertThat(config.unimplemented()).isEmpty();
  }

  @Test
  void aDisabledClientTlsDoesNotStopStartUp() {
    TurnoutConfig config = parse("routers:\n- protocol: http\n  client: {tls: {enabled: false}}\n");

    assertThat(config.unimplemented()).isEmpty();
    assertThat(config.routers().get(0).client().tls()).hasValueSatisfying(t -> assertThat(t.enabled()).isFalse());
  }

  @Test
  void aRouterOfAnotherProtocolStopsStartUpUnlessSkipped() {
    TurnoutConfig config =
        parse("routers:\n- protocol: thrift\n  label: grpc\n- protocol: http\n  label: web\n");

    assertThat(config.routers()).extracting(RouterConfig::label).containsExactly("web");
    assertThatThrownBy(() -> config.refuseUnimplemented(false, true))
        .isInstanceOf(ConfigException.class)
        .hasMessage("routers[0].protocol: protocol thrift is not implemented by Turnout (its routers serve http and h2);"
            + " remove this router, or start with --skip-unimplemented to run the others without it");
    assertThat(config.refuseUnimplemented(true, true))
        .containsExactly("routers[0].protocol (protocol thrift is not implemented by Turnout (its routers serve http and h2))");
  }

  @Test
  void onlyRoutersOfOtherProtocolsIsAnErrorEvenWhenSkipped() {
    TurnoutConfig config = parse("routers:\n- protocol: thrift\n");

    assertThatThrownBy(() -> config.refuseUnimplemented(true, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no router uses a protocol Turnout implements");
  }

  @Test
  void aStorageKindTurnoutDoesNotHaveStopsAControlPlaneButNotAProxy() {
    TurnoutConfig config = parse("storage: {kind: io.l5d.zk}\n");

    assertThatThrownBy(() -> config.refuseUnimplemented(true, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("storage.kind: storage kind io.l5d.zk is not implemented by Turnout; use kind: postgresql");
    assertThat(config.refuseUnimplemented(false, false)).isEmpty();
  }

  @Test
  void anInterpreterTurnoutDoesNotHaveFallsBackToTheRouterDtabWithAWarning() {
    TurnoutConfig config =
        parse("routers:\n- protocol: http\n  interpreter: {kind: io.l5d.k8s.configMap}\n");

    assertThat(config.routers().get(0).interpreter().usesStore()).isFalse();
    assertThat(config.warnings()).anyMatch(w -> w.contains("io.l5d.k8s.configMap is not implemented"));
  }

  @Test
  void namerdHttpWithDstFollowsTheNamedControlPlanesInOrder() {
    TurnoutConfig config =
        parse(
            """
            routers:
            - protocol: http
              interpreter:
                kind: io.l5d.namerd.http
                dst: /$/inet/127.0.0.1/9990 | /$/inet/cp-b.internal/9991
                namespace: prod
                retry: {baseSeconds: 2, maxSeconds: 30}
            """);

    InterpreterConfig i = config.routers().get(0).interpreter();
    assertThat(i.followsRemote()).isTrue();
    assertThat(i.namespace()).isEqualTo("prod");
    assertThat(i.controlPlanes()).extracting(InterpreterConfig.ControlPlane::authority)
        .containsExactly("127.0.0.1:9990", "cp-b.internal:9991");
    assertThat(i.retryBase()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(i.retryMax()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void aDstThatIsNotAControlPlaneAddressIsRefusedWithItsPath() {
    assertThatThrownBy(() -> parse(
            "routers:\n- protocol: http\n  interpreter: {kind: io.l5d.namerd.http, dst: /#/io.l5d.fs/namerd}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routers[0].interpreter.dst: /#/io.l5d.fs/namerd is not a control plane address");
    assertThatThrownBy(() -> parse(
            "routers:\n- protocol: http\n  interpreter: {kind: io.l5d.namerd.http, dst: '/$/inet/h/1 |'}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routers[0].interpreter.dst:");
    assertThatThrownBy(() -> parse(
            "routers:\n- protocol: http\n  interpreter: {kind: io.l5d.namerd.http, dst: /$/inet/h/70000}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not a control plane address");
  }

  @Test
  void namerdHttpWithoutDstReadsThisProcesssStore() {
    TurnoutConfig config = parse("routers:\n- protocol: http\n  interpreter: {kind: io.l5d.namerd.http, namespace: ns}\n");

    assertThat(config.routers().get(0).interpreter()).isEqualTo(new InterpreterConfig(InterpreterConfig.STORE, "ns"));
  }

  @Test
  void aPostgresqlStorageNamesItsUrlAndUserAndKeepsThePasswordOutOfItsText() {
    TurnoutConfig config =
        parse("storage: {kind: postgresql, url: 'jdbc:postgresql://db:5432/turnout', user: tn, password: s3cret}\n");

    assertThat(config.storage().jdbcUrl()).contains("jdbc:postgresql://db:5432/turnout");
    assertThat(config.storage().user()).contains("tn");
    assertThat(config.storage().passwordOr("from-env")).contains("s3cret");
    assertThat(config.storage().isShared()).isTrue();
    assertThat(config.storage().toString()).doesNotContain("s3cret");
  }

  @Test
  void aPostgresqlStorageWithoutAPasswordTakesTheEnvironments() {
    TurnoutConfig config = parse("storage: {kind: postgresql, url: 'jdbc:postgresql://db/turnout'}\n");

    assertThat(config.storage().passwordOr("from-env")).contains("from-env");
    assertThat(config.storage().passwordOr(null)).isEmpty();
  }

  @Test
  void aStorageUrlOfTheWrongDatabaseIsRefusedWithItsPath() {
    assertThatThrownBy(() -> parse("storage: {kind: postgresql, url: 'jdbc:mysql://db/turnout'}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.url: must be jdbc:postgresql://HOST:PORT/DATABASE");
    assertThatThrownBy(() -> parse("storage: {kind: h2, jdbcUrl: 'jdbc:postgresql://db/turnout'}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.jdbcUrl: must be an H2 URL");
  }
}
