package dev.turnout.config;

import java.nio.file.Path;

/** A block of YAML as its reader sees it: a node at a YAML path, with a fresh context to read into. */
final class Blocks {
  final ConfigContext context = new ConfigContext(Path.of("."), Path.of("data"));

  /** {@code yaml} (a mapping, a list or nothing) as the node at {@code path}. */
  YamlNode at(String path, String yaml) {
    return new YamlNode(context, path, YamlText.read("block: " + yaml).get("block"));
  }
}
