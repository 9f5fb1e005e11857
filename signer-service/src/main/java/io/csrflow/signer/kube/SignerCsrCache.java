package io.csrflow.signer.kube;

import java.time.Duration;
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
    private static final Duration APPROVAL_PATIENCE = Duration.ofMillis(200);

    private final CsrCache cache = new CsrCache(Set.of(CsrPhase.APPROVED), Set.of(CsrPhase.PENDING));

    SignerCsrCache(MeterRegistry registry) {
        registry.gauge("csrflow.signer.csr.cache.size", cache, CsrCache::size);
        registry.gauge("csrflow.signer.csr.cache.approved", cache, CsrCache::inPlaySize);
    }

    void start(@Observes StartupEvent event, KubernetesClient client, LiveCsrs csrs) {
        cache.start(client, csrs);
    }

    /**
     * What the cache knows; a CSR it still shows Pending is looked at again for a moment, since the
     * approval that triggered the signing is usually only milliseconds ahead of the informer.
     */
    public CsrCache.Lookup lookup(String name, String uid) {
        return cache.lookup(name, uid, APPROVAL_PATIENCE);
    }

    @PreDestroy
    void stop() {
        cache.close();
    }
}
