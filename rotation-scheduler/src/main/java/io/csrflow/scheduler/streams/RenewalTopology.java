package io.csrflow.scheduler.streams;

import java.time.Clock;
import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.pods.PodDirectory;
import io.csrflow.service.CsrTracing;

/**
 * cert.issued ──decode──────────────────────────────┐
 *                                                    ├─▶ inventory (stores) ─▶ cert.renewal-due
 * csr.observed ─decode (Issued only)─┬▶ by identity ─┘
 * pcr.observed ─decode (Issued only)─┘
 * undecodable records of any ─▶ dead-letter topic
 */
public final class RenewalTopology {
    private RenewalTopology() {
    }

    /**
     * @param identityPartitions the partition count of {@code cert.issued}: sightings from
     *                           csr.observed and pcr.observed are repartitioned to the same count
     *                           (through one repartition topic), so that every input of one identity
     *                           meets in the same task
     */
    public static Topology build(SchedulerSettings settings, int identityPartitions, NodeDirectory nodes,
            PodDirectory pods, Clock clock, SchedulerMeters meters, CsrTracing tracing) {
        SchedulerSettings.Topics topics = settings.topics();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.INVENTORY),
                Serdes.String(), InventorySerdes.tracked()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.DUE_INDEX),
                Serdes.Bytes(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.NODE_INDEX),
                Serdes.String(), Serdes.ByteArray()));

        KStream<String, Sighting> issued = valid(builder
                .stream(topics.issued(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("cert-issued"))
                .process(() -> new IssuedDecoder(topics.issued(), tracing, settings.trust()), Named.as("decode-cert-issued")),
                "cert-issued", topics.deadLetter(), meters);
        KStream<String, Sighting> csrs = valid(builder
                .stream(topics.observed(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("csr-observed"))
                .process(() -> new ObservedDecoder(topics.observed(), settings.trust()), Named.as("decode-csr-observed")),
                "csr-observed", topics.deadLetter(), meters);
        KStream<String, Sighting> podCertificates = valid(builder
                .stream(topics.podCertificates(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("pcr-observed"))
                .process(() -> new PodCertificateDecoder(topics.podCertificates(), settings.trust()),
                        Named.as("decode-pcr-observed")),
                "pcr-observed", topics.deadLetter(), meters);
        KStream<String, Sighting> observed = csrs.merge(podCertificates, Named.as("observed-sightings"))
                .repartition(Repartitioned.with(Serdes.String(), InventorySerdes.sighting())
                        .withName("by-identity").withNumberOfPartitions(identityPartitions));

        issued.merge(observed, Named.as("sightings"))
                .process(() -> new InventoryProcessor(settings, nodes, pods, clock, meters), Named.as("inventory"),
                        StoreNames.INVENTORY, StoreNames.DUE_INDEX, StoreNames.NODE_INDEX)
                .to(topics.renewalDue(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("renewal-due"));
        return builder.build();
    }

    /** The sightings; rejected records go to the dead-letter topic with their original bytes. */
    private static KStream<String, Sighting> valid(KStream<String, Decoded> decoded, String name, String deadLetter,
            SchedulerMeters meters) {
        Map<String, KStream<String, Decoded>> branches = decoded.split(Named.as(name + "-"))
                .branch((key, value) -> value.isRejected(), Branched.as("rejected"))
                .defaultBranch(Branched.as("valid"));
        branches.get(name + "-rejected")
                .peek((key, value) -> meters.rejected(name), Named.as(name + "-count-rejected"))
                .mapValues(Decoded::original, Named.as(name + "-original"))
                .to(deadLetter, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-dead-letter"));
        return branches.get(name + "-valid").mapValues(Decoded::sighting, Named.as(name + "-sighting"));
    }
}
