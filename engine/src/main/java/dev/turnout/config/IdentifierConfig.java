package dev.turnout.config;

import dev.turnout.dtab.Path;

/**
 * How a router turns a request into a service name. {@code kind} is one of {@code io.l5d.header.token}
 * (the value of {@code header}, default {@code Host}, as one label), {@code io.l5d.header} (the value of
 * {@code header}, default {@code l5d-name}, as a path), {@code io.l5d.methodAndHost} ({@code
 * /<version>/<method>/<host>[uri]}), {@code io.l5d.path} (the first {@code segments} of the URI path,
 * removed from the forwarded URI when {@code consume}), {@code io.l5d.static} (always {@code
 * staticPath}). {@code prefix} is prepended to every name, {@code staticPath} included, as Linkerd
 * prepends {@code dstPrefix} (it is the router's {@code dstPrefix} unless given; the key is Turnout's).
 */
public record IdentifierConfig(
    String kind,
    String header,
    Path prefix,
    int segments,
    boolean consume,
    boolean httpUriInDst,
    Path staticPath) {}
