package dev.turnout.web.editor;

import dev.turnout.web.Chrome;
import java.util.Optional;

/**
 * The editor of one namespace: the draft, the version it started from ({@code baseVersion} 0 and an
 * empty {@code baseEtag} for a namespace that does not exist yet), a notice to show, and the conflict to
 * resolve when someone else committed after the draft started.
 */
public record EditorPage(
    Chrome chrome,
    Draft draft,
    long baseVersion,
    String baseEtag,
    String notice,
    Optional<Conflict> conflict) {}
