package dev.turnout.app;

import dev.turnout.cli.DtabCommand;
import dev.turnout.cli.UserCommand;
import picocli.CommandLine;

/** The subcommands under {@code turnout}: {@code dtab} (check, fmt, bind, delegate), {@code user} and {@code proxy}. */
final class Subcommands {
  private Subcommands() {}

  static void addTo(CommandLine root) {
    root.addSubcommand("dtab", new DtabCommand());
    root.addSubcommand("user", new UserCommand());
    root.addSubcommand("proxy", new ProxyCommand());
  }
}
