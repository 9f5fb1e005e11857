package io.csrflow.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Identity keys: the subject form as before, the workload form apart from it, and both parse back. */
class IdentityTest {
    static final String WORKLOAD_SIGNER = "csrflow.io/workload-serving";

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of(new Identity("kubernetes.io/kube-apiserver-client-kubelet", "system:node:worker-1"),
                        "kubernetes.io/kube-apiserver-client-kubelet|system:node:worker-1"),
                Arguments.of(new Identity("example.com/serving", ""), "example.com/serving|"),
                Arguments.of(new Identity("example.com/serving", "a|b/c@d"), "example.com/serving|a|b/c@d"),
                Arguments.of(Identity.workload(WORKLOAD_SIGNER, "my-namespace", "default", "my-svc.my-namespace.svc"),
                        "csrflow.io/workload-serving@my-namespace/default|my-svc.my-namespace.svc"),
                Arguments.of(Identity.workload(WORKLOAD_SIGNER, "ns", "build.bot", ""),
                        "csrflow.io/workload-serving@ns/build.bot|"),
                Arguments.of(Identity.workload(WORKLOAD_SIGNER, "ns", "sa", "x|y@z/w"),
                        "csrflow.io/workload-serving@ns/sa|x|y@z/w"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("keys")
    void keysHaveTheirDocumentedFormAndParseBack(Identity identity, String key) {
        assertEquals(key, identity.key());
        assertEquals(identity, Identity.parse(key));
    }

    @Test
    void theSameNameInTwoNamespacesOrOfTwoServiceAccountsIsTwoIdentities() {
        Identity a = Identity.workload(WORKLOAD_SIGNER, "team-a", "default", "web");
        Identity b = Identity.workload(WORKLOAD_SIGNER, "team-b", "default", "web");
        Identity c = Identity.workload(WORKLOAD_SIGNER, "team-a", "other", "web");
        assertNotEquals(a.key(), b.key());
        assertNotEquals(a.key(), c.key());
        assertNotEquals(b.key(), c.key());
    }

    @Test
    void noSubjectIdentityHasTheKeyOfAWorkloadIdentity() {
        Identity workload = Identity.workload(WORKLOAD_SIGNER, "team-a", "default", "web");
        // The subject identity whose CN spells the workload key's tail, and the one whose signer would.
        Identity mimic = new Identity(WORKLOAD_SIGNER, "team-a/default|web");
        assertNotEquals(workload.key(), mimic.key());
        assertFalse(Identity.parse(mimic.key()).isWorkload());
        assertThrows(IllegalArgumentException.class, () -> new Identity(WORKLOAD_SIGNER + "@team-a/default", "web"));
        assertTrue(Identity.parse(workload.key()).isWorkload());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "no-separator; not an identity key",
        "|cn; not an identity key",
        "signer@ns|name; not a workload identity key",
        "@ns/sa|name; not a workload identity key",
        "signer@NS/sa|name; namespace must be a DNS label",
        "signer@ns/|name; serviceAccount must be a DNS subdomain",
        "signer@ns/Sa|name; serviceAccount must be a DNS subdomain",
        "signer@ns/sa/x|name; serviceAccount must be a DNS subdomain",
    })
    void malformedKeysAreRefusedSayingWhy(String key, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Identity.parse(key));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void aWorkloadIdentityHasBothNamespaceAndServiceAccount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Identity(WORKLOAD_SIGNER, "web", "ns", null));
        assertTrue(e.getMessage().startsWith("a workload identity has both"), e.getMessage());
    }

    @Test
    void aNamespaceIsALabelAndAServiceAccountASubdomain() {
        assertThrows(IllegalArgumentException.class, () -> Identity.workload(WORKLOAD_SIGNER, "a.b", "sa", "n"));
        assertThrows(IllegalArgumentException.class, () -> Identity.workload(WORKLOAD_SIGNER, "x".repeat(64), "sa", "n"));
        assertThrows(IllegalArgumentException.class,
                () -> Identity.workload(WORKLOAD_SIGNER, "ns", "a".repeat(254), "n"));
        assertEquals("a.b-c", Identity.workload(WORKLOAD_SIGNER, "x".repeat(63), "a.b-c", "n").serviceAccount());
    }
}
