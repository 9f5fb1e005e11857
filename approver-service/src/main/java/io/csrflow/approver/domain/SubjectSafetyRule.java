package io.csrflow.approver.domain;

import java.util.List;
import java.util.Optional;

import io.csrflow.pki.CsrParser;
import io.csrflow.pki.Recognizers;

/**
 * Subjects no handled signer may ever certify, whoever asks: the {@code system:masters} group
 * (cluster-admin that RBAC cannot take away), and a kubelet CN whose node name could never be a
 * Node's (control characters, NUL, bidirectional overrides, upper case, 10,000 characters), which
 * would otherwise pass for a node identity in logs, audit and authorization.
 */
final class SubjectSafetyRule implements ApprovalRule {
    static final String NAME = "subject-safety";
    static final String MASTERS = "system:masters";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        List<String> organizations = review.parsed().organizations();
        boolean masters = organizations.contains(MASTERS);
        review.check("no-system-masters", !masters, "subject O " + CsrParser.escape(organizations.toString()));
        if (masters) {
            return Optional.of(Decision.denied(NAME, "SystemMastersForbidden",
                    "certificates for the system:masters group are never issued through CSRs", review.checks()));
        }
        String commonName = review.parsed().commonName();
        if (commonName != null && commonName.startsWith(Recognizers.NODE_PREFIX)) {
            boolean valid = Recognizers.nodeName(commonName) != null;
            review.check("node-name", valid, valid ? "a valid Node name" : "not a valid Node name");
            if (!valid) {
                return Optional.of(Decision.denied(NAME, "InvalidNodeName", "\"" + CsrParser.escape(commonName)
                        + "\" does not name a Node: a node name is a DNS-1123 subdomain (lower-case letters, digits, "
                        + "'-' and '.') of at most 253 characters", review.checks()));
            }
        }
        return Optional.empty();
    }
}
