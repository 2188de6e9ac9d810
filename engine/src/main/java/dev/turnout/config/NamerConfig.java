package dev.turnout.config;

import dev.turnout.dtab.Path;

/** A configured namer, mounted at {@code prefix} (such as {@code /#/io.l5d.fs}). */
public record NamerConfig(String kind, Path prefix, java.nio.file.Path rootDir) {}
