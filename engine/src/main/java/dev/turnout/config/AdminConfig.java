package dev.turnout.config;

/** Where the admin server (dashboard, API, metrics) listens. */
public record AdminConfig(String ip, int port) {}
