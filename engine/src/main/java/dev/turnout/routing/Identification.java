package dev.turnout.routing;

import dev.turnout.dtab.Path;
import java.util.Optional;

/**
 * A request named: its service name ({@code /svc/users}) and, when an identifier consumed part of the
 * URI ({@code io.l5d.path} with {@code consume}), the path to forward instead.
 */
public record Identification(Path service, Optional<String> rewrittenPath) {}
