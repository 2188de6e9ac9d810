package dev.turnout.store;

/** A user as the rest of Turnout sees one: a name and a role. The password hash never leaves the store. */
public record User(String name, Role role) {}
