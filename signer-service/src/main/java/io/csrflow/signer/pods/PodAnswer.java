package io.csrflow.signer.pods;

import java.time.Duration;
import java.util.List;

/**
 * What the signer answers a PodCertificateRequest: issue a certificate (its identity, the Service
 * names, its lifetime, and a note for the Issued message), or a terminal Denied or Failed condition
 * with the API's reason and a message naming the rule. {@code check} is a bounded name for metrics.
 */
public sealed interface PodAnswer {
    String check();

    record Issue(String spiffeId, List<String> dnsNames, Duration lifetime, String note) implements PodAnswer {
        public Issue {
            dnsNames = List.copyOf(dnsNames);
        }

        @Override
        public String check() {
            return "issued";
        }
    }

    record Deny(String check, String reason, String message) implements PodAnswer {
    }

    record Fail(String check, String reason, String message) implements PodAnswer {
    }
}
