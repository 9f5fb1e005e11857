package io.csrflow.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Kubelet bootstrap CSRs created at a steady rate with the bootstrap token, as new nodes joining
 * create them: {@code fault-node-N} asks for its client certificate. Every tenth uses a 1024-bit
 * RSA key, which the policy denies as {@code WeakKey}; the rest must be approved and signed.
 */
final class CsrBurst {
    static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";

    private final KubernetesClient client;
    private final int total;
    private final long pauseNanos;
    private final AtomicInteger created = new AtomicInteger();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile int limit;

    CsrBurst(KubernetesClient client, int total, double perSecond) {
        this.client = client;
        this.total = total;
        this.pauseNanos = (long) (1e9 / perSecond);
        this.limit = total;
        this.thread = new Thread(this::run, "csr-burst");
        thread.setDaemon(true);
    }

    static String name(int index) {
        return "fault-csr-" + index;
    }

    static String node(int index) {
        return "fault-node-" + index;
    }

    /** Whether the policy must deny CSR {@code index}: its key is too weak. */
    static boolean weak(int index) {
        return index % 10 == 9;
    }

    /** Creates no more than {@code count} CSRs until {@link #release()}. */
    CsrBurst holdAt(int count) {
        limit = count;
        return this;
    }

    void release() {
        limit = total;
    }

    CsrBurst start() {
        thread.start();
        return this;
    }

    private void run() {
        long next = System.nanoTime();
        for (int i = 0; i < total; i++) {
            TestCsrs csr = TestCsrs.kubelet(node(i));
            if (weak(i)) {
                csr.rsa(1024);
            }
            String request = Base64.getEncoder().encodeToString(csr.pem().getBytes(StandardCharsets.US_ASCII));
            while (i >= limit) {
                sleepNanos(Duration.ofMillis(50).toNanos());
                next = System.nanoTime();
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            }
            next += pauseNanos;
            try {
                client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                        .withNewMetadata().withName(name(i)).endMetadata()
                        .withNewSpec().withRequest(request).withSignerName(SIGNER).withExpirationSeconds(600)
                        .withUsages(weak(i) ? List.of("digital signature", "key encipherment", "client auth")
                                : List.of("digital signature", "client auth"))
                        .endSpec().build()).create();
            } catch (RuntimeException e) {
                failures.add(e);
                return;
            }
            created.incrementAndGet();
        }
    }

    int created() {
        return created.get();
    }

    /** Waits until {@code count} CSRs exist; fails if creating one failed. */
    void awaitCreated(int count) {
        while (created.get() < count) {
            if (!failures.isEmpty()) {
                throw new AssertionError("creating a CSR failed", failures.get(0));
            }
            if (!thread.isAlive() && created.get() < count) {
                throw new AssertionError("the burst ended after " + created.get() + " CSRs");
            }
            sleepNanos(Duration.ofMillis(100).toNanos());
        }
    }

    void awaitDone() {
        awaitCreated(total);
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
