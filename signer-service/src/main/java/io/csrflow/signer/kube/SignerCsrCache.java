package io.csrflow.signer.kube;

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

/**
 * The signer's CSR cache: requests kept while Approved and unsigned; a Pending CSR is before the
 * signer's phase (an approval may be ahead of the cache: read live), anything later only its phase.
 */
@ApplicationScoped
public class SignerCsrCache {
    private final CsrCache cache = new CsrCache(Set.of(CsrPhase.APPROVED), Set.of(CsrPhase.PENDING));

    SignerCsrCache(MeterRegistry registry) {
        registry.gauge("csrflow.signer.csr.cache.size", cache, CsrCache::size);
        registry.gauge("csrflow.signer.csr.cache.approved", cache, CsrCache::inPlaySize);
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
