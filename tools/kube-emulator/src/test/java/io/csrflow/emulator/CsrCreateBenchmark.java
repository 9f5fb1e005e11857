package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * CSR creates through the real HTTP API (a fabric8 client, a few threads) as the store fills:
 * creates per second over a window ending at each size, the time to list them all, and the heap
 * each stored CSR takes. Printed, never asserted against a time. The aim: no slower at 100,000
 * stored CSRs than at 1,000 (the mock server's store scanned every object on every request).
 * After a warm-up on an emulator of its own. Runs at 1,000 and 5,000 in every build;
 * {@code -Dcsrflow.emulator.benchmark.csrs=100000} for 1,000 / 10,000 / 100,000.
 */
class CsrCreateBenchmark {
    private static final int LARGEST = Integer.getInteger("csrflow.emulator.benchmark.csrs", 5_000);
    private static final int THREADS = 4;
    private static final int WINDOW = 1_000;
    private static final int WARM_UP = 3_000;

    @TempDir
    static Path dir;

    @Test
    void printsCreateRateAndHeapPerCsrAsTheStoreFills() throws Exception {
        List<Integer> sizes = LARGEST >= 100_000 ? List.of(1_000, 10_000, LARGEST)
                : LARGEST > 1_000 ? List.of(1_000, LARGEST) : List.of(LARGEST);
        String request = Base64.getEncoder().encodeToString(Openssl.csr(dir, "/O=system:nodes/CN=system:node:bench")
                .getBytes(StandardCharsets.US_ASCII));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        // Warm up the JIT on an emulator of its own, so that the first size measures the store, not the compiler.
        try (KubeEmulator warmUp = KubeEmulator.startDefault();
                KubernetesClient client = warmUp.client("admin-token")) {
            createUpTo(pool, client, request, new AtomicInteger(), WARM_UP, null);
        }
        try (KubeEmulator emulator = KubeEmulator.startDefault();
                KubernetesClient client = emulator.client("admin-token")) {
            // Its connections and threads too, with objects of another kind (they do not slow CSRs down).
            for (int i = 0; i < WARM_UP; i++) {
                client.configMaps().inNamespace("warm-up").resource(new ConfigMapBuilder().withNewMetadata()
                        .withName("cm-" + i).endMetadata().build()).create();
            }
            long heapBefore = usedHeapAfterGc();
            AtomicInteger created = new AtomicInteger();
            System.out.printf(Locale.ROOT, "%nCsrCreateBenchmark: CSR creates through the API, %d client threads, "
                    + "rate over the %d creates before each size%n", THREADS, WINDOW);
            System.out.printf(Locale.ROOT, "%10s %12s %10s %10s %14s %12s%n", "stored", "creates/s", "p50 ms",
                    "p99 ms", "list all (ms)", "heap/CSR");
            for (int size : sizes) {
                int windowStart = Math.max(created.get(), size - WINDOW);
                createUpTo(pool, client, request, created, windowStart, null);
                long[] latencies = new long[size - windowStart];
                long started = System.nanoTime();
                createUpTo(pool, client, request, created, size, latencies);
                double seconds = (System.nanoTime() - started) / 1e9;
                Arrays.sort(latencies);

                long listStarted = System.nanoTime();
                int listed = client.certificates().v1().certificateSigningRequests().list().getItems().size();
                long listMillis = (System.nanoTime() - listStarted) / 1_000_000;
                assertEquals(size, listed);

                long heapPerCsr = (usedHeapAfterGc() - heapBefore) / size;
                System.out.printf(Locale.ROOT, "%,10d %12.0f %10.2f %10.2f %14d %10d B%n", size,
                        latencies.length / seconds, latencies[latencies.length / 2] / 1e6,
                        latencies[(int) (latencies.length * 0.99)] / 1e6, listMillis, heapPerCsr);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The store alone, without HTTP and without the CSR checks (whose signature verification is most
     * of an API create's CPU), so that its own cost per operation shows through a busy machine:
     * creates, gets by name, and the first page of a {@code limit=500} list, at each size.
     */
    @Test
    void printsStoreOnlyCostsAsTheStoreFills() {
        List<Integer> sizes = LARGEST >= 100_000 ? List.of(1_000, 10_000, LARGEST)
                : LARGEST > 1_000 ? List.of(1_000, LARGEST) : List.of(LARGEST);
        StoredResource csrs = StoredResource.of("certificates.k8s.io", "certificatesigningrequests");
        ObjectNode template = Json.MAPPER.valueToTree(new CertificateSigningRequestBuilder().withNewMetadata()
                .endMetadata().withNewSpec().withRequest(Base64.getEncoder().encodeToString(
                        Openssl.csr(dir, "/O=system:nodes/CN=system:node:bench").getBytes(StandardCharsets.US_ASCII)))
                .withSignerName("kubernetes.io/kube-apiserver-client-kubelet").withUsages("digital signature",
                        "client auth").withUsername("system:bootstrap:abcdef").withGroups("system:bootstrappers",
                        "system:authenticated").endSpec().build());
        ObjectStore store = new ObjectStore(java.time.Clock.systemUTC(), ObjectStore.Settings.DEFAULTS);
        for (int i = 0; i < WARM_UP; i++) {
            store.create(StoredResource.of("", "configmaps"), "warm-up", named(Json.MAPPER.createObjectNode(),
                    "cm-" + i));
        }
        System.out.printf(Locale.ROOT, "%nCsrCreateBenchmark, the store alone: creates over the %d before each size, "
                + "10,000 gets, the first page of limit=500%n", WINDOW);
        System.out.printf(Locale.ROOT, "%10s %12s %12s %16s%n", "stored", "creates/s", "gets/s", "page of 500 (ms)");
        int created = 0;
        for (int size : sizes) {
            int windowStart = Math.max(created, size - WINDOW);
            for (; created < windowStart; created++) {
                store.create(csrs, null, named(template.deepCopy(), created));
            }
            long started = System.nanoTime();
            for (; created < size; created++) {
                store.create(csrs, null, named(template.deepCopy(), created));
            }
            double createSeconds = (System.nanoTime() - started) / 1e9;
            java.util.Random random = new java.util.Random(size);
            started = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                store.get(csrs, null, String.format(Locale.ROOT, "bench-%07d", random.nextInt(size)));
            }
            double getSeconds = (System.nanoTime() - started) / 1e9;
            started = System.nanoTime();
            ObjectStore.Page page = store.list(csrs, null, ListOptions.parse("limit=500"), LabelSelector.EVERYTHING,
                    FieldSelector.EVERYTHING);
            double pageMillis = (System.nanoTime() - started) / 1e6;
            assertEquals(Math.min(500, size), page.items().size());
            System.out.printf(Locale.ROOT, "%,10d %12.0f %12.0f %16.2f%n", size, (size - windowStart) / createSeconds,
                    10_000 / getSeconds, pageMillis);
        }
    }

    private static ObjectNode named(ObjectNode object, int number) {
        return named(object, String.format(Locale.ROOT, "bench-%07d", number));
    }

    private static ObjectNode named(ObjectNode object, String name) {
        Json.object(object, "metadata").put("name", name);
        return object;
    }

    /** Creates CSRs numbered from {@code created} up to {@code target}, recording each create's latency. */
    private static void createUpTo(ExecutorService pool, KubernetesClient client, String request,
            AtomicInteger created, int target, long[] latencies) throws Exception {
        int first = created.get();
        AtomicInteger next = new AtomicInteger(first);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < target; i = next.getAndIncrement()) {
                    CertificateSigningRequest csr = new CertificateSigningRequestBuilder().withNewMetadata()
                            .withName(String.format(Locale.ROOT, "bench-%07d", i)).endMetadata().withNewSpec()
                            .withRequest(request).withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
                            .withUsages("digital signature", "client auth").endSpec().build();
                    long started = System.nanoTime();
                    client.certificates().v1().certificateSigningRequests().resource(csr).create();
                    if (latencies != null) {
                        latencies[i - first] = System.nanoTime() - started;
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        created.set(target);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
