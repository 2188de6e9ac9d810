package dev.turnout.config;

/** A configuration that cannot be used; the message starts with the YAML path of the bad value. */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
