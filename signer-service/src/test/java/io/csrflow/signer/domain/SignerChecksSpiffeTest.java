package io.csrflow.signer.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.Requester;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.SignerProfile;
import io.csrflow.testsupport.Cli;

/**
 * A SPIFFE ID names a pod's namespace and service account, which only the pod certificate path checks:
 * a CSR to a signer whose profile allows URI SANs must not carry one of a trust domain pod certificates
 * are issued in, whoever approved it.
 */
class SignerChecksSpiffeTest {
    private static final SignerProfile URIS = SignerProfile.of(List.of("server", "client"), List.of("dns", "uri"), 10,
            false, Duration.ofHours(24));

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "spiffe://cluster.local/ns/kube-system/sa/admin, true",
        "SPIFFE://Cluster.Local/ns/kube-system/sa/admin, true",
        "spiffe://cluster.local, true",
        "spiffe://cluster.local.evil/ns/a/sa/b, false",
        "spiffe://other.example/ns/a/sa/b, false",
        "https://cluster.local/ns/a/sa/b, false"})
    void aCsrForAPodIdentityFails(String uri, boolean refused) {
        String request = Cli.opensslCsr(dir, "ec", "/CN=svc", "URI:" + uri, "DNS:svc.example");
        CsrObserved csr = new CsrObserved("c1", "uid", "1", "example.com/mesh", request,
                List.of("digital signature", "server auth"), null, new Requester("jane", null, List.of(), null),
                List.of(), null, CsrPhase.APPROVED, Instant.EPOCH, Instant.EPOCH);
        SignerChecks checks = new SignerChecks(CsrVerifier.defaults());

        SignerChecks.Outcome outcome = checks.check(csr, Optional.empty(), Optional.of(URIS), Set.of("cluster.local"));
        assertEquals(!refused, outcome.signable(), String.valueOf(outcome.message()));
        if (refused) {
            assertEquals(SignerChecks.SPIFFE_CHECK, outcome.failedCheck());
            assertTrue(outcome.message().contains("issues to pods only"), outcome.message());
        }
        assertTrue(checks.check(csr, Optional.empty(), Optional.of(URIS), Set.of()).signable(),
                "without pod certificates, the profile alone decides");
    }
}
