package io.csrflow.events;

/** One check the approver ran, and what it found. */
public record PolicyCheck(String name, boolean passed, String detail) {

    public PolicyCheck {
        Require.field(name, "name");
    }
}
