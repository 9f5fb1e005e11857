package io.csrflow.approver.domain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.Requester;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.SignerNames;

/**
 * Coverage-guided fuzzing of what a CSR goes through in the approver: PEM, DER, PKCS#10, key and
 * signature checks, names and SANs, the kubelet rules. Whatever the request holds, the policy
 * answers with a decision that has a reason and a message without control characters, and it
 * never approves a request it could not parse. CI fuzzes for a bounded time (see the pom); seeds
 * are real CSRs made by openssl, in {@code ApprovalPolicyFuzzTestInputs}.
 */
class ApprovalPolicyFuzzTest {
    private static final List<String> SIGNERS = List.of(SignerNames.KUBELET_CLIENT, SignerNames.KUBELET_SERVING,
            SignerNames.APISERVER_CLIENT);
    private static final List<Requester> REQUESTERS = List.of(ApprovalPolicyTest.BOOTSTRAP, ApprovalPolicyTest.NODE_1,
            ApprovalPolicyTest.JANE);
    private static final List<List<String>> USAGES = List.of(ApprovalPolicyTest.CLIENT, ApprovalPolicyTest.SERVING,
            List.of("digital signature", "cert sign", "server auth", "client auth"));

    private final ApprovalPolicy policy = new ApprovalPolicy(ApprovalPolicyTest.settings(ApprovalPolicyTest.serving(),
            true), CsrVerifier.defaults(), new ApprovalPolicyTest.Rbac(), new ApprovalPolicyTest.Nodes(),
            new Workloads(), ApprovalPolicyTest.CLOCK);

    @FuzzTest(maxDuration = "60s")
    void everyRequestGetsAReasonedDecision(FuzzedDataProvider data) {
        String signer = data.pickValue(SIGNERS);
        Requester requester = data.pickValue(REQUESTERS);
        List<String> usages = data.pickValue(USAGES);
        boolean asDer = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        // Either bytes wrapped as a PEM block (reaches the DER and PKCS#10 code) or the raw text.
        String request = asDer ? "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(body)
                + "\n-----END CERTIFICATE REQUEST-----\n" : new String(body, StandardCharsets.ISO_8859_1);
        CsrObserved csr = ApprovalPolicyTest.csr(signer, usages, requester, request);

        Decision decision = policy.evaluate(csr);

        assertNotNull(decision);
        assertFalse(decision.reason().isBlank(), decision.toString());
        assertTrue(decision.message().chars().noneMatch(c -> c < 0x20 || c == 0x7f), decision.message());
        if (decision.outcome() == DecisionOutcome.APPROVED) {
            assertTrue(decision.checks().stream().anyMatch(check -> check.name().equals("verified") && check.passed()),
                    "approved without a verified request: " + decision);
        }
    }
}
