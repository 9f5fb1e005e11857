package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a cluster of many workloads costs the emulator: Pods (as a workload's, with labels, a node, a
 * service account and a pod IP) created through the Pod rules into the store, the create rate and the
 * heap per stored Pod, printed, never asserted against a time. 20,000 in every build;
 * {@code -Dcsrflow.emulator.benchmark.pods=100000} for the 100,000 an approver's informer test wants.
 */
class PodStoreBenchmark {
    private static final int PODS = Integer.getInteger("csrflow.emulator.benchmark.pods", 20_000);

    @Test
    void printsCreateRateAndHeapPerStoredPod() {
        ObjectStore store = new ObjectStore(Clock.systemUTC(), ObjectStore.Settings.DEFAULTS);
        DefaultServiceAccounts.start(store);
        PodRules rules = new PodRules(store);
        StoredResource pods = StoredResource.of("", "pods");
        ObjectNode account = Json.parseObject("{\"metadata\":{\"name\":\"web\"}}");
        store.create(StoredResource.of("", "serviceaccounts"), "default", account);
        long before = usedHeap();
        long start = System.nanoTime();
        for (int i = 0; i < PODS; i++) {
            ObjectNode pod = Json.parseObject(("{\"metadata\":{\"name\":\"web-%d\",\"labels\":{\"app\":\"web-%d\"}},"
                    + "\"spec\":{\"serviceAccountName\":\"web\",\"nodeName\":\"node-%d\",\"containers\":[{\"name\":"
                    + "\"server\",\"image\":\"registry.example/web:1.0\"}]}}").formatted(i, i % 100, i % 500));
            String namespace = "default";
            store.writeLocked(() -> {
                rules.create(pod, namespace);
                return store.create(pods, namespace, pod);
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long after = usedHeap();
        assertEquals(PODS, store.objects("", "pods").size());
        System.out.printf(Locale.ROOT, "%nPodStoreBenchmark: %,d pods stored, %.0f creates/s, %,d bytes of heap each%n",
                PODS, PODS / seconds, (after - before) / PODS);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
