package io.csrflow.approver.kube;

import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.csrflow.events.CsrPhase;
import io.csrflow.service.CsrCache;
import io.csrflow.service.LiveCsrs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/** The approver's CSR cache: requests kept while Pending, the phase only once decided. */
@ApplicationScoped
public class ApproverCsrCache {
    private final CsrCache cache = new CsrCache(Set.of(CsrPhase.PENDING), Set.of());

    ApproverCsrCache(MeterRegistry registry) {
        registry.gauge("csrflow.approver.csr.cache.size", cache, CsrCache::size);
        registry.gauge("csrflow.approver.csr.cache.pending", cache, CsrCache::inPlaySize);
    }

    void start(@Observes StartupEvent event, KubernetesClient client, LiveCsrs csrs) {
        cache.start(client, csrs);
    }

    public CsrCache.Lookup lookup(String name, String uid) {
        return cache.lookup(name, uid);
    }

    @PreDestroy
    void stop() {
        cache.close();
    }
}
