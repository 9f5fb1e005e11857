package io.csrflow.signer;

import java.util.Optional;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.PolicyCheck;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.KeyPolicy;
import io.csrflow.pki.ParsedCsr;
import io.csrflow.pki.Recognition;
import io.csrflow.pki.Recognizers;
import io.csrflow.pki.SignerNames;

/**
 * What the signer re-checks whatever the approver said, as Boulder's CA re-checks its RA: proof of
 * possession, key strength, no system:masters, and the rules of the signer name. The answer is the reason the CSR
 * fails validation, or empty.
 */
final class SignerChecks {
    private static final String SYSTEM_MASTERS = "system:masters";
    private final CsrParser parser;
    private final KeyPolicy keys;

    SignerChecks(CsrParser parser, KeyPolicy keys) {
        this.parser = parser;
        this.keys = keys;
    }

    /**
     * What the checks found: the parsed request if it may be signed, otherwise the check that failed
     * (a bounded name, fit for a metric label) and the message for the CSR's Failed condition.
     */
    record Outcome(ParsedCsr parsed, String failedCheck, String message) {
        static Outcome signable(ParsedCsr parsed) {
            return new Outcome(parsed, null, null);
        }

        static Outcome failed(String check, String message) {
            return new Outcome(null, check, message);
        }

        boolean signable() {
            return parsed != null;
        }
    }

    Outcome check(CsrObserved csr) {
        ParsedCsr parsed;
        try {
            parsed = parser.parseAndVerify(csr.request());
            keys.check(parsed.key());
        } catch (CsrRejectedException e) {
            String reason = e.rejection().reason();
            return Outcome.failed(reason, reason + ": " + e.getMessage());
        }
        // Whoever approved it, a cluster-admin certificate is never signed from a CSR.
        if (parsed.organizations().contains(SYSTEM_MASTERS)) {
            return Outcome.failed("SystemMastersForbidden", "SystemMastersForbidden: certificates for the "
                    + "system:masters group are never issued through CSRs");
        }
        Optional<Recognition> rules = rulesOf(csr, parsed);
        if (rules.isPresent() && !rules.get().recognized()) {
            PolicyCheck failed = rules.get().firstFailure();
            return Outcome.failed(rules.get().recognizer() + "/" + failed.name(), "invalid "
                    + rules.get().recognizer() + " request: " + failed.name() + ": " + failed.detail());
        }
        return Outcome.signable(parsed);
    }

    private static Optional<Recognition> rulesOf(CsrObserved csr, ParsedCsr parsed) {
        Recognizers.Request request = new Recognizers.Request(csr.signerName(), csr.usages(),
                csr.requester().username(), parsed);
        return switch (csr.signerName()) {
            case SignerNames.KUBELET_CLIENT -> Optional.of(Recognizers.kubeletClient(request));
            case SignerNames.KUBELET_SERVING -> Optional.of(Recognizers.kubeletServing(request));
            case SignerNames.APISERVER_CLIENT -> Optional.of(Recognizers.apiserverClient(request));
            default -> Optional.empty();
        };
    }
}
