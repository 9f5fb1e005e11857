package io.csrflow.service;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.csrflow.events.CsrPhase;
import io.csrflow.testsupport.HeapUse;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What the CSR caches retain at 100k CSRs: 99% issued (as the API holds them until the cleaner
 * removes them) and 1% pending or approved, read from the JSON a real API server sends (managed
 * fields of the kubelet, the approver and the signer; a 1 KB certificate), kept as fabric8's default
 * informer store keeps them and as {@link CsrCache} keeps them for the approver and for the signer.
 * Prints retained heap; asserts nothing. The build runs it with 5,000 CSRs; at scale:
 * {@code mvn -pl libs/service-support test -Dtest=CsrCacheBenchmark -Dcsrflow.benchmark.csrs=100000}.
 */
class CsrCacheBenchmark {
    private static final int CSRS = Integer.getInteger("csrflow.benchmark.csrs", 5_000);
    private static final String REQUEST = TestCsrs.kubelet("sim-node-1").base64Pem();
    private static final String CERTIFICATE = java.util.Base64.getEncoder().encodeToString(
            ("-----BEGIN CERTIFICATE-----\n" + "A".repeat(1100) + "\n-----END CERTIFICATE-----\n").getBytes());

    @Test
    void printsRetainedHeapOfFullObjectsAndOfTheCaches() {
        System.out.printf(Locale.ROOT, "%nCsrCacheBenchmark: %,d CSRs, %,d of them still pending or approved%n", CSRS,
                CSRS / 100);
        System.out.printf(Locale.ROOT, "%-34s %12s %14s%n", "kept as", "heap (MB)", "bytes per CSR");
        long base = HeapUse.afterGc();
        Map<String, CertificateSigningRequest> full = new HashMap<>();
        for (int i = 0; i < CSRS; i++) {
            CertificateSigningRequest csr = csr(i);
            full.put(csr.getMetadata().getName(), csr);
        }
        long fullBytes = HeapUse.afterGc() - base;
        // Used after the measurement, so that the compiler cannot find the map dead before it.
        if (full.size() != CSRS) {
            throw new IllegalStateException("duplicate names");
        }
        print("full objects (informer default)", fullBytes);
        full = null;
        measure("CsrCache, approver (Pending kept)", new CsrCache(Set.of(CsrPhase.PENDING), Set.of()));
        measure("CsrCache, signer (Approved kept)", new CsrCache(Set.of(CsrPhase.APPROVED), Set.of(CsrPhase.PENDING)));
    }

    private static void measure(String what, CsrCache cache) {
        long base = HeapUse.afterGc();
        SlimStore<CertificateSigningRequest, ?> store = cache.store();
        for (int i = 0; i < CSRS; i++) {
            CertificateSigningRequest csr = csr(i);
            store.put(csr.getMetadata().getName(), csr);
        }
        long bytes = HeapUse.afterGc() - base;
        if (cache.size() != CSRS) {
            throw new IllegalStateException("lost CSRs");
        }
        print(what + " (" + cache.inPlaySize() + " whole)", bytes);
    }

    private static void print(String what, long bytes) {
        System.out.printf(Locale.ROOT, "%-34s %12.1f %14d%n", what, bytes / 1e6, bytes / CSRS);
    }

    /** CSR {@code i} as the API lists it: issued, except every hundredth pending and the next approved. */
    private static CertificateSigningRequest csr(int i) {
        String name = "node-csr-" + i;
        boolean pending = i % 100 == 0;
        boolean approved = i % 100 == 1;
        String time = "2026-11-30T10:00:00Z";
        String conditions = pending ? "[]" : "[{\"type\":\"Approved\",\"status\":\"True\",\"reason\":\"AutoApproved\","
                + "\"message\":\"kubelet client certificate: the requester's credentials and the request agree\","
                + "\"lastUpdateTime\":\"" + time + "\",\"lastTransitionTime\":\"" + time + "\"}]";
        String certificate = pending || approved ? "" : ",\"certificate\":\"" + CERTIFICATE + "\"";
        String json = "{\"apiVersion\":\"certificates.k8s.io/v1\",\"kind\":\"CertificateSigningRequest\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"uid\":\"" + java.util.UUID.randomUUID() + "\","
                + "\"resourceVersion\":\"" + (1_000_000 + i) + "\",\"creationTimestamp\":\"" + time + "\","
                + "\"managedFields\":[" + managed("kubelet", "Update", "{\"f:spec\":{\"f:request\":{},\"f:signerName\":{},"
                        + "\"f:usages\":{}}}", "")
                + "," + managed("csrflow-approver", "Update", "{\"f:status\":{\"f:conditions\":{}}}", "approval")
                + "," + managed("csrflow-signer", "Update", "{\"f:status\":{\"f:certificate\":{}}}", "status") + "]},"
                + "\"spec\":{\"request\":\"" + REQUEST + "\",\"signerName\":\"kubernetes.io/kube-apiserver-client-kubelet\","
                + "\"expirationSeconds\":86400,\"usages\":[\"digital signature\",\"client auth\"],"
                + "\"username\":\"system:node:sim-node-" + i + "\",\"uid\":\"" + java.util.UUID.randomUUID() + "\","
                + "\"groups\":[\"system:nodes\",\"system:authenticated\"]},"
                + "\"status\":{\"conditions\":" + conditions + certificate + "}}";
        return Serialization.unmarshal(json, CertificateSigningRequest.class);
    }

    private static String managed(String manager, String operation, String fields, String subresource) {
        return "{\"manager\":\"" + manager + "\",\"operation\":\"" + operation + "\",\"apiVersion\":\"certificates.k8s.io/v1\","
                + "\"time\":\"2026-11-30T10:00:00Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":" + fields
                + (subresource.isEmpty() ? "" : ",\"subresource\":\"" + subresource + "\"") + "}";
    }
}
