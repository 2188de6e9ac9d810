package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.store.Namespaces;
import org.junit.jupiter.api.Test;

/** The config's namespace keys follow the store's rule for namespace names, and quote it. */
class NamespaceKeysTest {
  private final Blocks blocks = new Blocks();

  @Test
  void anInterpreterNamespaceTheStoreWouldRefuseIsRefused() {
    String name = "a/b";
    assertThat(Namespaces.isValid(name)).isFalse();
    YamlNode interpreter = blocks.at("routers[0].interpreter", "{kind: io.l5d.namerd, namespace: '" + name + "'}");

    assertThatThrownBy(() -> InterpreterReader.read(blocks.context, interpreter))
        .hasMessage("routers[0].interpreter.namespace: must match " + Namespaces.RULE + ", not 'a/b'");
  }

  @Test
  void aSeededNamespaceTheStoreWouldRefuseIsRefused() {
    String yaml = "{namespaces: {'" + "x".repeat(65) + "': '/a => /b;'}}";

    assertThatThrownBy(() -> StorageReader.read(blocks.context, blocks.at("storage", yaml)))
        .hasMessageEndingWith(": namespace names must match [A-Za-z0-9_.-]{1,64}");
  }

  @Test
  void aNameTheStoreTakesIsTakenByBoth() {
    StorageConfig s = StorageReader.read(blocks.context, blocks.at("storage", "{namespaces: {prod-1.eu_west: '/a => /b;'}}"));
    InterpreterConfig i =
        InterpreterReader.read(blocks.context, blocks.at("routers[0].interpreter", "{kind: turnout.store, namespace: prod-1.eu_west}")).orElseThrow();

    assertThat(s.seeds()).containsKey("prod-1.eu_west");
    assertThat(i.namespace()).isEqualTo("prod-1.eu_west");
  }
}
