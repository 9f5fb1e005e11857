package io.csrflow.fleet;

import java.time.Instant;

/** How a PodCertificateRequest ended, as the kubelet sees it. */
sealed interface PodCertificateOutcome {
    /** The request's name, or null when the API refused to create it. */
    String requestName();

    /** The Issued condition and the status fields that come with it. */
    record Issued(String requestName, String certificateChain, Instant notBefore, Instant beginRefreshAt,
                  Instant notAfter) implements PodCertificateOutcome {
    }

    /**
     * Refused: by the API at create ({@code code} the HTTP status, {@code 403} or {@code 422}, with the
     * Status's reason and message) or by the signer ({@code code} the condition, Denied or Failed).
     */
    record Refused(String requestName, String code, String reason, String message) implements PodCertificateOutcome {
        boolean byApi() {
            return requestName == null;
        }

        @Override
        public String toString() {
            return (byApi() ? "create refused " : requestName + " ") + code + " " + reason + ": " + message;
        }
    }
}
