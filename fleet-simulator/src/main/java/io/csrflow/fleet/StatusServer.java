package io.csrflow.fleet;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.csrflow.events.EventCodec;

/**
 * The simulator's HTTP face: {@code /status} (the fleet report as JSON), {@code /metrics}
 * (Prometheus text) and {@code /healthz}.
 */
final class StatusServer implements AutoCloseable {
    private static final ObjectMapper JSON = EventCodec.mapper();

    private final HttpServer server;

    /** @param host the address to listen on: loopback unless the page must be reached from elsewhere */
    StatusServer(String host, int port, Supplier<FleetReport> report) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/status", exchange -> reply(exchange, 200, "application/json", json(report.get())));
        server.createContext("/metrics", exchange -> reply(exchange, 200, "text/plain; version=0.0.4",
                metrics(report.get())));
        server.createContext("/healthz", exchange -> reply(exchange, 200, "text/plain", "ok"));
        server.createContext("/", exchange -> reply(exchange, 404, "text/plain",
                "not found; try /status, /metrics or /healthz"));
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static String json(FleetReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the fleet report is always serialisable", e);
        }
    }

    static String metrics(FleetReport report) {
        StringBuilder out = new StringBuilder();
        FleetReport.WorkloadsSummary workloads = report.workloadsSummary();
        gauge(out, "csrflow_fleet_nodes", "simulated nodes", report.nodes());
        gauge(out, "csrflow_fleet_nodes_ready", "nodes holding client and serving certificates", report.ready());
        gauge(out, "csrflow_fleet_nodes_serving_refused", "nodes whose serving CSR was denied", report.servingRefused());
        gauge(out, "csrflow_fleet_nodes_failed", "nodes that could not bootstrap", report.failed());
        out.append("# HELP csrflow_fleet_rotations_total certificates replaced by a newer one\n")
                .append("# TYPE csrflow_fleet_rotations_total counter\n")
                .append("csrflow_fleet_rotations_total{kind=\"client\"} ").append(report.clientRotations()).append('\n')
                .append("csrflow_fleet_rotations_total{kind=\"serving\"} ").append(report.servingRotations()).append('\n')
                .append("csrflow_fleet_rotations_total{kind=\"workload\"} ").append(workloads.rotations()).append('\n');
        gauge(out, "csrflow_fleet_workloads", "simulated workloads", workloads.workloads());
        gauge(out, "csrflow_fleet_workloads_certified", "workloads holding a serving certificate", workloads.certified());
        gauge(out, "csrflow_fleet_workloads_trusted",
                "workloads whose certificate verifies against their namespace's published CA bundle", workloads.trusted());
        gauge(out, "csrflow_fleet_workloads_denied", "workloads whose first CSR was denied", workloads.denied());
        podCertificates(out, report.podCertificatesSummary());
        out.append("# HELP csrflow_fleet_renewal_notices_total renewal-due events for this fleet's nodes\n")
                .append("# TYPE csrflow_fleet_renewal_notices_total counter\n")
                .append("csrflow_fleet_renewal_notices_total ").append(report.renewalNotices()).append('\n');
        return out.toString();
    }

    private static void podCertificates(StringBuilder out, FleetReport.PodCertificatesSummary pods) {
        gauge(out, "csrflow_fleet_pod_certificates", "pods with a podCertificate volume", pods.pods());
        gauge(out, "csrflow_fleet_pod_certificates_holding", "well-behaved pods holding a credential bundle",
                pods.holding());
        gauge(out, "csrflow_fleet_pod_certificates_trusted",
                "pods whose chain validates against the signer's ClusterTrustBundles", pods.trusted());
        gauge(out, "csrflow_fleet_pod_certificates_misbehaving", "pods whose request must be refused", pods.misbehaving());
        gauge(out, "csrflow_fleet_pod_certificates_refused_as_expected",
                "misbehaving pods refused as they must be", pods.refusedAsExpected());
        gauge(out, "csrflow_fleet_pod_certificates_not_refused",
                "misbehaving pods issued a certificate or refused otherwise than they must be", pods.notRefused());
        counter(out, "csrflow_fleet_pod_certificates_issued_total", "PodCertificateRequests issued", pods.issued());
        counter(out, "csrflow_fleet_pod_certificates_refreshed_total",
                "PodCertificateRequests issued to replace a pod's earlier certificate", pods.refreshed());
        counter(out, "csrflow_fleet_pod_certificates_refused_total",
                "PodCertificateRequests the API refused to create (403, 422)", pods.refusedByApi());
        counter(out, "csrflow_fleet_pod_certificates_denied_total", "PodCertificateRequests denied", pods.denied());
        counter(out, "csrflow_fleet_pod_certificates_failed_total", "PodCertificateRequests failed", pods.failed());
        counter(out, "csrflow_fleet_pod_certificates_verification_failures_total",
                "issued chains that failed the pod's checks (key, SPIFFE ID, times, trust)", pods.verificationFailures());
    }

    private static void counter(StringBuilder out, String name, String help, int value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, int value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
