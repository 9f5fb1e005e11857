package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.testsupport.HostileCsrs;

/**
 * Defense in depth: every hostile CSR that kube-apiserver refuses at create is refused by csrflow's
 * own verifier too, with the reason the corpus names, as it would be behind an API server that
 * admitted it (one built with Go before 1.24 admits RSA keys under 1024 bits, for one).
 */
class ApiRefusedCsrsTest {
    private final CsrVerifier verifier = CsrVerifier.defaults();

    static Stream<HostileCsrs.Case> refusedByTheApi() {
        return HostileCsrs.all().stream().filter(c -> c.outcome() == HostileCsrs.Outcome.API_REFUSES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedByTheApi")
    void everyCsrTheApiRefusesIsRefusedByCsrflowWithItsOwnReason(HostileCsrs.Case c) {
        // As the watcher hands spec.request on: its bytes as ASCII text.
        String request = new String(c.request(), StandardCharsets.US_ASCII);
        CsrRejectedException e = assertThrows(CsrRejectedException.class,
                () -> verifier.verify(new CsrSpec(c.signer(), request, null)));
        assertEquals(c.csrflowReason(), e.rejection().reason(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void theNestedCaseIsWellFormedDerRefusedForItsDepthAlone() {
        byte[] nested = HostileCsrs.nested(100);
        assertTrue(DerDepth.within(nested, 100));
        assertFalse(DerDepth.within(nested, CsrLimits.defaults().maxAsn1Depth()));
    }
}
