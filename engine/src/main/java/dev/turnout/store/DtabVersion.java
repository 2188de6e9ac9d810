package dev.turnout.store;

import dev.turnout.dtab.Dtab;
import java.time.Instant;

/**
 * One committed version of a namespace's dtab. Versions are numbered from 1 per namespace and never
 * change once written. {@code text} is the dtab exactly as written (comments and layout kept); {@code
 * dtab} is its parsed form. {@code etag} is the opaque string namerd clients compare for equality.
 * {@code deleted} marks the version that recorded the namespace's deletion (its text is empty).
 */
public record DtabVersion(
    String namespace,
    long version,
    String etag,
    String text,
    Dtab dtab,
    String author,
    String comment,
    Instant createdAt,
    boolean deleted) {}
