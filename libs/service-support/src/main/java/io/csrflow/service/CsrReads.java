package io.csrflow.service;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.csrflow.events.CsrPhase;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The CSR a service is about to work on: the informer's copy while the CSR is in the service's
 * phase, nothing once it is past it (approvals, certificates and failures are final), and a live
 * read otherwise (not in the cache yet, another CSR of that name, or still before the phase a hint
 * announced). Reads are counted by where they came from ({@code csrflow_<service>_csr_reads_total},
 * source {@code cache}, {@code cache-past} or {@code api}), the cache's size in two gauges.
 */
public final class CsrReads implements AutoCloseable {
    private final CsrCache cache;
    private final LiveCsrs live;
    private final Duration patience;
    private final Counter fromCache;
    private final Counter pastInCache;
    private final Counter fromApi;

    /**
     * @param service   the service's name in its metrics ({@code approver})
     * @param inPlay    the phases the service works on, and the name of its gauge ({@code pending})
     * @param before    the phases before those, in which a hint may be ahead of the cache
     * @param patience  how long a CSR the cache shows in a phase before is looked at again before a live read
     */
    public CsrReads(String service, String inPlayName, Set<CsrPhase> inPlay, Set<CsrPhase> before, Duration patience,
            LiveCsrs live, MeterRegistry registry) {
        this.cache = new CsrCache(inPlay, before);
        this.live = live;
        this.patience = patience;
        String reads = "csrflow." + service + ".csr.reads";
        this.fromCache = registry.counter(reads, "source", "cache");
        this.pastInCache = registry.counter(reads, "source", "cache-past");
        this.fromApi = registry.counter(reads, "source", "api");
        registry.gauge("csrflow." + service + ".csr.cache.size", cache, CsrCache::size);
        registry.gauge("csrflow." + service + ".csr.cache." + inPlayName, cache, CsrCache::inPlaySize);
    }

    /** Follows the API's CSRs and keeps what {@code live} writes (see {@link CsrCache#start}). */
    public void start(KubernetesClient client) {
        cache.start(client, live);
    }

    /**
     * The CSR {@code name} to work on if it still is {@code uid}: empty when it is gone or the cache
     * has seen it past the service's phases.
     *
     * @throws ApiUnavailableException when a live read was needed and the API did not answer
     */
    public Optional<CertificateSigningRequest> toWorkOn(String name, String uid) {
        CsrCache.Lookup known = cache.lookup(name, uid, patience);
        if (known instanceof CsrCache.InPlay inPlay) {
            fromCache.increment();
            return Optional.of(inPlay.csr());
        }
        if (known instanceof CsrCache.Past) {
            pastInCache.increment();
            return Optional.empty();
        }
        fromApi.increment();
        return live.get(name, uid);
    }

    @Override
    public void close() {
        cache.close();
    }
}
