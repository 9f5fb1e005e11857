package io.csrflow.pki;

import java.util.List;

import io.csrflow.events.PolicyCheck;

/** The outcome of a recognizer: every check it ran; recognised when all passed. */
public record Recognition(String recognizer, List<PolicyCheck> checks) {

    public Recognition {
        checks = List.copyOf(checks);
    }

    public boolean recognized() {
        return checks.stream().allMatch(PolicyCheck::passed);
    }

    /** The first check that failed, if any. */
    public PolicyCheck firstFailure() {
        return checks.stream().filter(c -> !c.passed()).findFirst().orElse(null);
    }
}
