package io.csrflow.fleet;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;

/**
 * Waits for a CSR's outcome as the kubelet does (client-go's {@code csr.WaitForCertificate}): a list
 * of the one CSR by field selector {@code metadata.name=<name>}, then a watch from that list's
 * resourceVersion, which the API answers with the CSR's next changes only (approval, certificate).
 * One list and one long-lived watch per CSR instead of a GET every few seconds. The watch is a
 * streamed GET as client-go makes it, not fabric8's WebSocket: a WebSocket is a new TLS connection
 * (a handshake on both sides) for every watch, a streamed GET reuses the client's pooled ones. If the watch ends
 * before an outcome (the API restarts, or its history no longer reaches back: 410), the CSR is listed
 * and watched again with {@link Backoff} (1 s doubling up to the poll interval), as the kubelet's
 * reflector does; the time limit ends it all, with the last failure if there was one.
 */
final class CsrWait {
    private static final Duration FIRST_RELIST = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ScheduledExecutorService scheduler;
    private final Duration pollInterval;
    private final Duration timeout;

    CsrWait(ScheduledExecutorService scheduler, Duration pollInterval, Duration timeout) {
        this.scheduler = scheduler;
        this.pollInterval = pollInterval;
        this.timeout = timeout;
    }

    /** Completes with the CSR's outcome, on the fleet's scheduler, or exceptionally. */
    CompletableFuture<CsrOutcome> await(KubernetesClient client, String name) {
        Waiting waiting = new Waiting(client, name);
        waiting.giveUp = scheduler.schedule(waiting::timeOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.execute(waiting::listAndWatch);
        return waiting.answer;
    }

    private final class Waiting {
        private final KubernetesClient client;
        private final String name;
        private final CompletableFuture<CsrOutcome> answer = new CompletableFuture<>();
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile ScheduledFuture<?> giveUp;
        private volatile RuntimeException lastFailure;
        private volatile Backoff backoff = new Backoff(FIRST_RELIST, pollInterval);
        private AsyncBody watch;

        Waiting(KubernetesClient client, String name) {
            this.client = client;
            this.name = name;
        }

        void listAndWatch() {
            if (finished.get()) {
                return;
            }
            try {
                CertificateSigningRequestList list = client.certificates().v1().certificateSigningRequests()
                        .withField("metadata.name", name).list();
                List<CertificateSigningRequest> items = list.getItems();
                if (items.isEmpty()) {
                    fail(new IllegalStateException("CSR " + name + " is gone"));
                    return;
                }
                CsrOutcome outcome = CsrRequester.outcomeOf(items.get(0));
                if (outcome != null) {
                    succeed(outcome);
                    return;
                }
                watchFrom(list.getMetadata().getResourceVersion());
            } catch (RuntimeException e) {
                // The API may be restarting: look again after a pause until the time runs out.
                lastFailure = e;
                relistLater();
            }
        }

        private void watchFrom(String resourceVersion) {
            HttpClient http = client.getHttpClient();
            String master = client.getMasterUrl().toString();
            String url = (master.endsWith("/") ? master.substring(0, master.length() - 1) : master)
                    + "/apis/certificates.k8s.io/v1/certificatesigningrequests?fieldSelector="
                    + URLEncoder.encode("metadata.name=" + name, StandardCharsets.UTF_8)
                    + "&resourceVersion=" + URLEncoder.encode(resourceVersion, StandardCharsets.UTF_8) + "&watch=true";
            Lines lines = new Lines();
            http.consumeBytes(http.newHttpRequestBuilder().uri(url).build(), (buffers, body) -> {
                lines.feed(buffers, this::onEvent);
                body.consume();
            }).whenComplete((response, failure) -> {
                if (failure != null) {
                    lastFailure = new KubernetesClientException("watch of CSR " + name + " failed: " + failure, failure);
                    relistLater();
                    return;
                }
                if (!response.isSuccessful()) {
                    response.body().cancel();
                    lastFailure = new KubernetesClientException("watch of CSR " + name + " answered "
                            + response.code(), response.code(), null);
                    relistLater();
                    return;
                }
                synchronized (this) {
                    watch = response.body();
                }
                if (finished.get()) {
                    closeWatch();
                    return;
                }
                response.body().done().whenComplete((ended, broken) -> {
                    closeWatch();
                    relistLater();
                });
                response.body().consume();
            });
        }

        /** One line of the stream: a watch event, {@code {"type": ..., "object": ...}}. */
        private void onEvent(String line) {
            try {
                JsonNode event = JSON.readTree(line);
                String type = event.path("type").asText();
                if (type.equals("DELETED")) {
                    fail(new IllegalStateException("CSR " + name + " is gone"));
                } else if (type.equals("ADDED") || type.equals("MODIFIED")) {
                    CsrOutcome outcome = CsrRequester.outcomeOf(JSON.treeToValue(event.path("object"),
                            CertificateSigningRequest.class));
                    if (outcome != null) {
                        succeed(outcome);
                    }
                } else if (type.equals("ERROR")) {
                    // 410 Expired and the like: the stream ends, and the CSR is listed again.
                    lastFailure = new KubernetesClientException("watch of CSR " + name + ": "
                            + event.path("object").path("message").asText());
                }
            } catch (java.io.IOException e) {
                lastFailure = new KubernetesClientException("watch of CSR " + name + " sent no JSON: " + e.getMessage());
            }
        }

        private void relistLater() {
            if (finished.get()) {
                return;
            }
            Backoff pause = backoff;
            backoff = pause.next();
            try {
                pause.schedule(scheduler, this::listAndWatch);
            } catch (RejectedExecutionException e) {
                // the fleet is stopping
            }
        }

        void timeOut() {
            RuntimeException failure = lastFailure;
            fail(failure != null ? failure : new TimeoutException("CSR " + name + " got no certificate within "
                    + timeout));
        }

        private void succeed(CsrOutcome outcome) {
            if (finish()) {
                // On the fleet's threads: what the kubelet does next must not hold up a watch's callbacks.
                onScheduler(() -> answer.complete(outcome));
            }
        }

        void fail(Throwable failure) {
            if (finish()) {
                onScheduler(() -> answer.completeExceptionally(failure));
            }
        }

        private void onScheduler(Runnable completion) {
            try {
                scheduler.execute(completion);
            } catch (RejectedExecutionException e) {
                completion.run();
            }
        }

        /** True the first time only. */
        private boolean finish() {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> timer = giveUp;
            if (timer != null) {
                timer.cancel(false);
            }
            closeWatch();
            return true;
        }

        private void closeWatch() {
            AsyncBody open;
            synchronized (this) {
                open = watch;
                watch = null;
            }
            if (open != null) {
                open.cancel();
            }
        }
    }

    /** Splits a streamed body into lines, whatever the chunks. */
    private static final class Lines {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        void feed(List<ByteBuffer> buffers, java.util.function.Consumer<String> onLine) {
            for (ByteBuffer buffer : buffers) {
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        if (pending.size() > 0) {
                            onLine.accept(pending.toString(StandardCharsets.UTF_8));
                        }
                        pending.reset();
                    } else {
                        pending.write(b);
                    }
                }
            }
        }
    }
}
