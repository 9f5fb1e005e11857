package io.csrflow.fleet;

/** How a certificate request ended, as the kubelet sees it on the CSR. */
sealed interface CsrOutcome {
    String csrName();

    record Issued(String csrName, String certificatePem) implements CsrOutcome {
    }

    /** Denied or Failed, with the condition's reason and message. */
    record Refused(String csrName, String condition, String reason, String message) implements CsrOutcome {
    }
}
