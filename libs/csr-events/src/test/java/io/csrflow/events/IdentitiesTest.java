package io.csrflow.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one derivation of an identity from a CSR's signer, requester, CN and SANs. */
class IdentitiesTest {

    /** Columns: signer, requester, CN, DNS SANs, IP SANs (space-separated), expected key. */
    @ParameterizedTest(name = "{0} {1} CN={2} -> {5}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
        // Kubelet signers: the node's identity, whoever asked.
        "kubernetes.io/kube-apiserver-client-kubelet; system:node:w1; system:node:w1; ; ; kubernetes.io/kube-apiserver-client-kubelet|system:node:w1",
        "kubernetes.io/kubelet-serving; system:serviceaccount:kube-system:node-bootstrapper; system:node:w1; w1; 10.0.0.1; kubernetes.io/kubelet-serving|system:node:w1",
        "kubernetes.io/kube-apiserver-client-kubelet; system:bootstrap:abcdef; system:node:w2; ; ; kubernetes.io/kube-apiserver-client-kubelet|system:node:w2",
        // A ServiceAccount with any other signer: a workload identity named by its CN.
        "example.com/serving; system:serviceaccount:my-namespace:default; my-pod.my-namespace.pod.cluster.local; my-svc.my-namespace.svc; 10.0.34.2; example.com/serving@my-namespace/default|my-pod.my-namespace.pod.cluster.local",
        "kubernetes.io/kube-apiserver-client; system:serviceaccount:ci:builder; builder; ; ; kubernetes.io/kube-apiserver-client@ci/builder|builder",
        // No CN: the first DNS SAN, else the first IP SAN, else nothing.
        "csrflow.io/workload-serving; system:serviceaccount:ns:sa; ; web.ns.svc web.ns.svc.cluster.local; 10.0.0.9; csrflow.io/workload-serving@ns/sa|web.ns.svc",
        "csrflow.io/workload-serving; system:serviceaccount:ns:sa; ''; ; 10.0.0.9 10.0.0.8; csrflow.io/workload-serving@ns/sa|10.0.0.9",
        "csrflow.io/workload-serving; system:serviceaccount:ns:sa; null; ; fd00::1; csrflow.io/workload-serving@ns/sa|fd00:0:0:0:0:0:0:1",
        "csrflow.io/workload-serving; system:serviceaccount:ns:sa; null; ; FD00:0:0:0:0:0:0:1; csrflow.io/workload-serving@ns/sa|fd00:0:0:0:0:0:0:1",
        "csrflow.io/workload-serving; system:serviceaccount:ns:sa; null; ; ; csrflow.io/workload-serving@ns/sa|",
        // People and everyone else: signer and CN, as before workload identities.
        "csrflow.io/workload-serving; alice; alice; alice.example; ; csrflow.io/workload-serving|alice",
        "example.com/serving; null; null; a.example; ; example.com/serving|",
        "example.com/serving; system:serviceaccounts:ns; x; ; ; example.com/serving|x",
    })
    void derivesTheIdentityOfACertificate(String signer, String requester, String cn, String dns, String ips,
            String key) {
        assertEquals(key, Identities.of(signer, requester, cn, list(dns), list(ips)).key());
    }

    @Test
    void aWorkloadIdentityKnowsItsRequester() {
        Identity id = Identities.of("example.com/serving", "system:serviceaccount:my-namespace:default", "web",
                List.of(), List.of());
        assertEquals("my-namespace", id.namespace());
        assertEquals("default", id.serviceAccount());
        assertEquals("web", id.commonName());
        assertEquals("system:serviceaccount:my-namespace:default", Identities.requester(id));
        assertEquals(null, Identities.requester(new Identity("example.com/serving", "web")));
    }

    @ParameterizedTest
    @CsvSource({"system:serviceaccount:", "system:serviceaccount:ns", "system:serviceaccount::sa",
        "system:serviceaccount:ns:", "system:serviceaccount:ns:sa:extra", "system:serviceaccount:NS:sa"})
    void aUserNameThatOnlyLooksLikeAServiceAccountIsAPersonsSubjectIdentity(String requester) {
        Identity id = Identities.of("example.com/serving", requester, "web", List.of(), List.of());
        assertEquals(new Identity("example.com/serving", "web"), id);
    }

    private static List<String> list(String spaceSeparated) {
        return spaceSeparated == null || spaceSeparated.isBlank() ? List.of()
                : Arrays.asList(spaceSeparated.trim().split(" +"));
    }
}
