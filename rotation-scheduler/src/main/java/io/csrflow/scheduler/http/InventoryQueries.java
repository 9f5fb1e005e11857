package io.csrflow.scheduler.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.scheduler.SchedulerConfig;
import io.csrflow.scheduler.SchedulerRuntime;
import io.csrflow.scheduler.query.CertificateFilter;
import io.csrflow.scheduler.query.CertificatePage;
import io.csrflow.scheduler.query.CertificateView;
import io.csrflow.scheduler.query.FleetSummary;
import io.csrflow.scheduler.query.LocalInventory;
import io.csrflow.scheduler.query.PeerClient;
import io.csrflow.scheduler.streams.StoreNames;

/**
 * Answers inventory questions for the whole fleet: this replica's partitions from its stores,
 * the others' from the replicas that hold them (Kafka Streams knows who holds what).
 */
@ApplicationScoped
public class InventoryQueries {
    private final SchedulerRuntime runtime;
    private final Clock clock;
    private final PeerClient peers;
    private final HostInfo self;
    private final Duration summaryCache;
    private volatile FleetSummary cachedSummary;
    private volatile long cachedAtNanos;

    InventoryQueries(SchedulerRuntime runtime, SchedulerConfig config, Clock clock, ObjectMapper mapper) {
        this.runtime = runtime;
        this.clock = clock;
        this.peers = new PeerClient(mapper);
        this.self = HostInfo.buildFromEndpoint(config.scheduler().advertisedAddress());
        this.summaryCache = config.scheduler().summaryCache();
    }

    /** Thrown while the stores cannot be read: before start-up finished, or during a restore. */
    public static final class NotReadyException extends RuntimeException {
        NotReadyException(String message) {
            super(message);
        }
    }

    public CertificatePage list(CertificateFilter filter, String after, int limit, boolean localOnly) {
        Instant now = clock.instant();
        Duration overdueAfter = runtime.settings().overdueAfter();
        List<CertificateView> merged = new ArrayList<>(local().page(after, limit,
                t -> filter.matches(t, now, overdueAfter)).stream()
                .map(t -> CertificateView.of(t, now, overdueAfter)).toList());
        List<String> incomplete = new ArrayList<>();
        if (!localOnly) {
            for (HostInfo peer : otherReplicas()) {
                try {
                    peers.get(peer, "/v1/certificates", query(filter, after, limit), CertificatePage.class)
                            .ifPresent(page -> merged.addAll(page.items()));
                } catch (PeerClient.PeerException e) {
                    incomplete.add(e.getMessage());
                }
            }
        }
        merged.sort(Comparator.comparing(CertificateView::identity));
        List<CertificateView> page = merged.size() > limit ? merged.subList(0, limit) : merged;
        String next = merged.size() >= limit && !page.isEmpty() ? page.get(page.size() - 1).identity() : null;
        return new CertificatePage(List.copyOf(page), next, incomplete);
    }

    public Optional<CertificateView> get(String identity, boolean localOnly) {
        Instant now = clock.instant();
        KafkaStreams streams = running();
        KeyQueryMetadata meta = streams.queryMetadataForKey(StoreNames.INVENTORY, identity,
                Serdes.String().serializer());
        if (localOnly || meta == null || meta.activeHost().equals(self) || meta.activeHost().port() < 0) {
            return local().get(identity).map(t -> CertificateView.of(t, now, runtime.settings().overdueAfter()));
        }
        return peers.get(meta.activeHost(), "/v1/certificates/" + PeerClient.pathSegments(identity), Map.of(),
                CertificateView.class);
    }

    /** The fleet summary of the certificates {@code filter} matches ({@link CertificateFilter#ANY}: all). */
    public FleetSummary summary(CertificateFilter filter, boolean localOnly) {
        FleetSummary local = filter.isAny() ? localSummary() : localSummary(filter);
        if (localOnly) {
            return local;
        }
        FleetSummary whole = local;
        List<String> missing = new ArrayList<>();
        for (HostInfo peer : otherReplicas()) {
            try {
                Optional<FleetSummary> theirs = peers.get(peer, "/v1/fleet", query(filter), FleetSummary.class);
                if (theirs.isPresent()) {
                    whole = whole.plus(theirs.get());
                }
            } catch (PeerClient.PeerException e) {
                missing.add(e.getMessage());
            }
        }
        return whole.withIncomplete(missing);
    }

    /** This replica's summary, recomputed at most once per cache period (a scan of the stores). */
    public FleetSummary localSummary() {
        FleetSummary cached = cachedSummary;
        // The cache ages by the machine's monotonic time: the domain clock may be pinned or jump.
        if (cached != null && System.nanoTime() - cachedAtNanos < summaryCache.toNanos()) {
            return cached;
        }
        cachedSummary = localSummary(CertificateFilter.ANY);
        cachedAtNanos = System.nanoTime();
        return cachedSummary;
    }

    /**
     * A summary of what {@code filter} matches here, never cached: a filtered view is asked for by
     * a person looking at one namespace, not by the gauges every scrape.
     */
    private FleetSummary localSummary(CertificateFilter filter) {
        Instant now = clock.instant();
        Duration overdueAfter = runtime.settings().overdueAfter();
        FleetSummary.Builder builder = new FleetSummary.Builder(now, overdueAfter);
        local().forEach(t -> {
            if (filter.matches(t, now, overdueAfter)) {
                builder.add(t);
            }
        });
        return builder.build();
    }

    private LocalInventory local() {
        running();
        return runtime.streams().localInventory();
    }

    private KafkaStreams running() {
        KafkaStreams streams = runtime.streams() == null ? null : runtime.streams().streams();
        if (streams == null || streams.state() != KafkaStreams.State.RUNNING) {
            throw new NotReadyException("the inventory is not readable yet: "
                    + (runtime.streams() == null ? "starting" : runtime.streams().status().phase()));
        }
        return streams;
    }

    private List<HostInfo> otherReplicas() {
        return running().metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo)
                .filter(h -> !h.equals(self)).distinct().toList();
    }

    private static Map<String, String> query(CertificateFilter f, String after, int limit) {
        Map<String, String> q = query(f);
        q.put("after", after);
        q.put("limit", Integer.toString(limit));
        return q;
    }

    /** The filter as the query parameters another replica reads back into the same filter. */
    private static Map<String, String> query(CertificateFilter f) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("signer", f.signerName());
        q.put("node", f.nodeName());
        q.put("namespace", f.namespace());
        q.put("serviceAccount", f.serviceAccount());
        q.put("pod", f.pod());
        q.put("kind", f.kind() == null ? null : f.kind().wireName());
        q.put("expiringWithin", f.expiringWithin() == null ? null : f.expiringWithin().toString());
        q.put("status", f.status() == null ? null : f.status().name());
        return q;
    }
}
