package io.csrflow.scheduler.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.streams.StoreNames;

/**
 * Reads the inventory partitions this replica holds. Pages are in identity order across
 * partitions (a k-way merge of the per-partition stores, each sorted), so that the answers of
 * several replicas merge into one ordered page too.
 */
public final class LocalInventory {
    private final KafkaStreams streams;
    private final List<Integer> partitions;

    /** {@code identityTopic}: the inventory's input topic, whose partitions this replica's tasks hold. */
    public LocalInventory(KafkaStreams streams, String identityTopic) {
        this.streams = streams;
        this.partitions = streams.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(identityTopic))
                .map(TopicPartition::partition).sorted().toList();
    }

    /** The identity's certificate if one of this replica's partitions holds it. */
    public Optional<TrackedCertificate> get(String identity) {
        // Asking each local partition costs a few RocksDB lookups and needs no partitioner or
        // host metadata (which Kafka Streams has only when application.server is set).
        for (int p : partitions) {
            try {
                TrackedCertificate found = store(p).map(s -> s.get(identity)).orElse(null);
                if (found != null) {
                    return Optional.of(found);
                }
            } catch (InvalidStateStoreException e) {
                // migrated away since the task list was read; its new holder answers for it
            }
        }
        return Optional.empty();
    }

    /** Up to {@code limit} matches with identity greater than {@code after} (null: from the start). */
    public List<TrackedCertificate> page(String after, int limit, Predicate<TrackedCertificate> filter) {
        List<KeyValueIterator<String, TrackedCertificate>> open = new ArrayList<>();
        try {
            PriorityQueue<Head> heads = new PriorityQueue<>();
            for (int p : partitions) {
                Optional<ReadOnlyKeyValueStore<String, TrackedCertificate>> store = store(p);
                if (store.isEmpty()) {
                    continue;
                }
                KeyValueIterator<String, TrackedCertificate> it = after == null ? store.get().all()
                        : store.get().range(after + '\u0000', null);
                open.add(it);
                advance(heads, it);
            }
            List<TrackedCertificate> page = new ArrayList<>();
            while (!heads.isEmpty() && page.size() < limit) {
                Head head = heads.poll();
                if (filter.test(head.entry.value)) {
                    page.add(head.entry.value);
                }
                advance(heads, head.iterator);
            }
            return page;
        } finally {
            open.forEach(KeyValueIterator::close);
        }
    }

    /** Every tracked certificate here, in no particular order (for summaries). */
    public void forEach(Consumer<TrackedCertificate> action) {
        for (int p : partitions) {
            Optional<ReadOnlyKeyValueStore<String, TrackedCertificate>> store = store(p);
            if (store.isPresent()) {
                try (KeyValueIterator<String, TrackedCertificate> it = store.get().all()) {
                    it.forEachRemaining(kv -> action.accept(kv.value));
                }
            }
        }
    }

    private Optional<ReadOnlyKeyValueStore<String, TrackedCertificate>> store(int partition) {
        try {
            return Optional.of(streams.store(StoreQueryParameters.fromNameAndType(StoreNames.INVENTORY,
                    QueryableStoreTypes.<String, TrackedCertificate>keyValueStore()).withPartition(partition)));
        } catch (InvalidStateStoreException e) {
            return Optional.empty(); // not hosted here, or being restored
        }
    }

    private static void advance(PriorityQueue<Head> heads, KeyValueIterator<String, TrackedCertificate> it) {
        if (it.hasNext()) {
            heads.add(new Head(it.next(), it));
        }
    }

    private record Head(KeyValue<String, TrackedCertificate> entry, KeyValueIterator<String, TrackedCertificate> iterator)
            implements Comparable<Head> {
        @Override
        public int compareTo(Head other) {
            return entry.key.compareTo(other.entry.key);
        }
    }
}
