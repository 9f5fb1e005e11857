package io.csrflow.pki;

/**
 * One check a recognizer ran: its name, whether it passed, and what it saw. The approver records
 * each in its decision; the signer names the first that failed.
 */
public record RuleCheck(String name, boolean passed, String detail) {
}
