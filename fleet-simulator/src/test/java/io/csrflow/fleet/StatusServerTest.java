package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class StatusServerTest {
    private static final NodeReport READY = new NodeReport("n1", "none", "READY",
            new CertificateReport("ab", "csr-1", Instant.EPOCH, Instant.EPOCH.plusSeconds(900), 2, 1),
            new CertificateReport("cd", "csr-2", Instant.EPOCH, Instant.EPOCH.plusSeconds(900), 1, 0), List.of(), null);
    private static final NodeReport REFUSED = new NodeReport("n2", "weak-key", "SERVING_REFUSED",
            new CertificateReport("ef", "csr-3", Instant.EPOCH, Instant.EPOCH.plusSeconds(900), 1, 0),
            CertificateReport.of(null, 0, 0), List.of("serving csr-4: Denied WeakKey (RSA key of 1024 bits)"),
            "serving CSR csr-4 denied");

    private static final WorkloadReport WORKLOAD = new WorkloadReport("sim-apps-a", "web-1",
            "system:serviceaccount:sim-apps-a:web-1", "well-behaved", "CERTIFIED",
            new CertificateReport("0f", "web-1.sim-apps-a-x1", Instant.EPOCH, Instant.EPOCH.plusSeconds(900), 2, 1), true,
            List.of(), null);
    private static final WorkloadReport DENIED = new WorkloadReport("sim-apps-a", "web-2",
            "system:serviceaccount:sim-apps-a:web-2", "asks for Service web-1 as well", "DENIED",
            CertificateReport.of(null, 0, 0), false, List.of("web-2.sim-apps-a-x2: Denied SANNotEntitled (...)"), null);

    private static final PodCertificateReport POD = new PodCertificateReport("sim-pods", "cert-pod-1", "n1", "n1",
            "pod-sa-1", "well-behaved", null, "ECDSAP256", "ISSUED", 3, 2, 1, 0, 0, "req-abcde", "1f",
            Instant.EPOCH.plusSeconds(3600), Instant.EPOCH.plusSeconds(2400), Instant.EPOCH.plusSeconds(2500), true,
            null, 1, List.of("req-xyz: WRONG_IDENTITY: ..."), null, "credentialbundle.pem: PRIVATE KEY, CERTIFICATE");
    private static final PodCertificateReport OTHER_NODE = new PodCertificateReport("sim-pods", "cert-pod-2", "n2", "n1",
            "pod-sa-2", "other-node", "403", "ECDSAP256", "REFUSED", 0, 0, 1, 0, 0, null, null, null, null, null, false,
            new PodCertificateOutcome.Refused(null, "403", "Forbidden", "node n1 can only create requests for its own pods"),
            0, List.of(), null, null);
    private static final PodCertificateReport KEY_TYPE = new PodCertificateReport("sim-pods", "cert-pod-3", "n1", "n1",
            "pod-sa-3", "key-type", "Denied UnsupportedKeyType", "ED25519", "NOT_REFUSED", 1, 0, 0, 0, 0, "req-q", "2a",
            Instant.EPOCH.plusSeconds(3600), Instant.EPOCH.plusSeconds(2400), null, true, null, 0, List.of(),
            "issued although it asks for an ED25519 key", "credentialbundle.pem: PRIVATE KEY, CERTIFICATE");

    @Test
    void answersStatusMetricsAndHealth() throws Exception {
        FleetReport report = FleetReport.of(List.of(READY, REFUSED), 3, 1, List.of(WORKLOAD, DENIED),
                List.of(POD, OTHER_NODE, KEY_TYPE));
        try (StatusServer server = new StatusServer("127.0.0.1", 0, () -> report)) {
            server.start();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/status")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, status.statusCode());
            assertTrue(status.body().contains("\"ready\":1") && status.body().contains("\"servingRefused\":1")
                    && status.body().contains("WeakKey") && status.body().contains("\"notAfter\":\"1970-01-01T00:15:00Z\""),
                    status.body());

            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("csrflow_fleet_nodes 2\n"), metrics);
            assertTrue(metrics.contains("csrflow_fleet_rotations_total{kind=\"client\"} 1\n"), metrics);
            assertTrue(metrics.contains("csrflow_fleet_renewal_notices_total 3\n"), metrics);
            assertTrue(metrics.contains("csrflow_fleet_workloads 2\n") && metrics.contains("csrflow_fleet_workloads_certified 1\n")
                    && metrics.contains("csrflow_fleet_workloads_trusted 1\n") && metrics.contains("csrflow_fleet_workloads_denied 1\n")
                    && metrics.contains("csrflow_fleet_rotations_total{kind=\"workload\"} 1\n"), metrics);
            assertTrue(report.summary().contains("; workloads 2: certified 1 (trusted by their namespace's bundle 1), "
                    + "denied 1, rotations 1;"), report.summary());
            assertTrue(status.body().contains("\"podCertificates\":[{\"namespace\":\"sim-pods\",\"pod\":\"cert-pod-1\"")
                    && status.body().contains("\"refusal\":{\"code\":\"403\",\"reason\":\"Forbidden\"")
                    && status.body().contains("\"expectedRefusal\":\"Denied UnsupportedKeyType\""), status.body());
            for (String line : List.of("csrflow_fleet_pod_certificates 3", "csrflow_fleet_pod_certificates_holding 1",
                    "csrflow_fleet_pod_certificates_trusted 1", "csrflow_fleet_pod_certificates_misbehaving 2",
                    "csrflow_fleet_pod_certificates_refused_as_expected 1", "csrflow_fleet_pod_certificates_not_refused 1",
                    "csrflow_fleet_pod_certificates_issued_total 4", "csrflow_fleet_pod_certificates_refreshed_total 2",
                    "csrflow_fleet_pod_certificates_refused_total 2", "csrflow_fleet_pod_certificates_denied_total 0",
                    "csrflow_fleet_pod_certificates_failed_total 0",
                    "csrflow_fleet_pod_certificates_verification_failures_total 1",
                    "# TYPE csrflow_fleet_pod_certificates_issued_total counter")) {
                assertTrue(metrics.contains(line + "\n"), line + " in\n" + metrics);
            }
            assertTrue(report.summary().endsWith("; pod certificates 3: issued 4 (holding 1, trusted 1), refreshed 2, "
                    + "refused by the API 2, denied 0, failed 0, verification failures 1; misbehaving 2: refused as "
                    + "expected 1, not refused 1"), report.summary());

            assertFalse(FleetReport.of(List.of(READY), 0, 0, List.of(), List.of()).summary().contains("pod certificates"));

            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/nope")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
