package dev.turnout.config;

/** A listening socket of a router; {@code clearContext} drops callers' {@code l5d-dtab} overrides. */
public record ServerConfig(String ip, int port, boolean clearContext) {}
