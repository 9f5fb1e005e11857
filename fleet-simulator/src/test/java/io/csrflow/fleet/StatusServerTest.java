package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void answersStatusMetricsAndHealth() throws Exception {
        FleetReport report = FleetReport.of(List.of(READY, REFUSED), 3, 1, List.of(WORKLOAD, DENIED));
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
            assertTrue(report.summary().endsWith("; workloads 2: certified 1 (trusted by their namespace's bundle 1), denied 1, "
                    + "rotations 1"), report.summary());

            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/nope")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
