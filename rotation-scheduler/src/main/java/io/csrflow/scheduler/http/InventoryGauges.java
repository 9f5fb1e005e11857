package io.csrflow.scheduler.http;

import java.time.Clock;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.query.FleetSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Inventory gauges for this replica's partitions (sum them across replicas), read from the cached
 * fleet summary so that a scrape never scans the stores more than once per cache period. NaN
 * while the stores cannot be read. CSRs' certificates and pods' certificates have gauges of their own,
 * as the fleet summary keeps them apart ({@code csrflow_scheduler_certificates*} as before,
 * {@code csrflow_scheduler_pod_certificates*}).
 */
@ApplicationScoped
public class InventoryGauges {
    private final InventoryQueries queries;
    private final Clock clock;

    InventoryGauges(InventoryQueries queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
    }

    void register(@Observes StartupEvent event, MeterRegistry registry) {
        gauge(registry, "csrflow.scheduler.certificates.tracked", "Certificates tracked by this replica",
                s -> s.total(), null);
        for (CertificateStatus status : CertificateStatus.values()) {
            gauge(registry, "csrflow.scheduler.certificates", "Tracked certificates by status",
                    s -> s.byStatus().getOrDefault(status, 0L), status);
        }
        gauge(registry, "csrflow.scheduler.pod.certificates.tracked", "Pods' certificates tracked by this replica",
                s -> s.podCertificates().total(), null);
        for (CertificateStatus status : CertificateStatus.values()) {
            gauge(registry, "csrflow.scheduler.pod.certificates", "Tracked pods' certificates by status",
                    s -> s.podCertificates().byStatus().getOrDefault(status, 0L), status);
        }
        gauge(registry, "csrflow.scheduler.pod.certificates.overdue",
                "Pods' certificates found overdue with their pods running: no newer certificate for the overdue "
                        + "margin after beginRefreshAt (expired ones included)",
                s -> s.podCertificates().overdue(), null);
        gauge(registry, "csrflow.scheduler.soonest.expiry.seconds",
                "Seconds until the earliest NotAfter of a CSR's certificate not yet expired",
                s -> s.soonestExpiry() == null ? Double.NaN
                        : Duration.between(clock.instant(), s.soonestExpiry()).toMillis() / 1000.0, null);
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<FleetSummary> value,
            CertificateStatus status) {
        Gauge.Builder<InventoryQueries> b = Gauge.builder(name, queries, q -> read(q, value)).description(help);
        if (status != null) {
            b.tag("status", status.name().toLowerCase(java.util.Locale.ROOT));
        }
        b.register(registry);
    }

    private static double read(InventoryQueries queries, ToDoubleFunction<FleetSummary> value) {
        try {
            return value.applyAsDouble(queries.localSummary());
        } catch (InventoryQueries.NotReadyException e) {
            return Double.NaN;
        }
    }
}
