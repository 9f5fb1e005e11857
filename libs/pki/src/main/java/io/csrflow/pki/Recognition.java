package io.csrflow.pki;

import java.util.List;

/** The outcome of a recognizer: every check it ran; recognised when all passed. */
public record Recognition(String recognizer, List<RuleCheck> checks) {

    public Recognition {
        checks = List.copyOf(checks);
    }

    public boolean recognized() {
        return checks.stream().allMatch(RuleCheck::passed);
    }

    /** The first check that failed, if any. */
    public RuleCheck firstFailure() {
        return checks.stream().filter(c -> !c.passed()).findFirst().orElse(null);
    }
}
