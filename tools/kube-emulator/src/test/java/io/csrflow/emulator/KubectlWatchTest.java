package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The real kubectl's list and watch requests: {@code get -w} and chunked lists ({@code --chunk-size}). */
class KubectlWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static KubectlSession session;
    static KubernetesClient admin;

    @BeforeAll
    static void start() throws IOException {
        session = KubectlSession.start(dir);
        admin = session.admin;
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    private static void createCsr(String name) {
        String pem = Openssl.csr(dir, "/O=system:nodes/CN=system:node:" + name);
        admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
                .withUsages("digital signature", "client auth").endSpec().build()).create();
    }

    /** The next line kubectl prints that contains {@code text}, or null if none comes in time. */
    private static String lineWith(BlockingQueue<String> lines, String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
        }
        return null;
    }

    /** The cells of a row kubectl printed, the AGE (second) cell checked and left out. */
    private static List<String> withoutAge(String row) {
        List<String> cells = new java.util.ArrayList<>(List.of(row.trim().split(" {2,}")));
        assertTrue(cells.remove(1).matches("\\d+s"), row);
        return cells;
    }

    @Test
    void getWatchPrintsTheCurrentCsrsAndThenEachChange() throws Exception {
        createCsr("watched-before");
        Process kubectl = session.startInBackground("get", "csr", "-w");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(kubectl.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // kubectl was stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            String header = lineWith(lines, "SIGNERNAME");
            assertNotNull(header, "the header");
            assertEquals(List.of("NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"),
                    List.of(header.trim().split(" {2,}")));
            String initial = lineWith(lines, "watched-before");
            assertNotNull(initial, "the CSR that existed");
            assertEquals(List.of("watched-before", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes-admin",
                    "<none>", "Pending"), withoutAge(initial));

            createCsr("watched-after");
            assertNotNull(lineWith(lines, "watched-after"), "the CSR created while watching");

            admin.certificates().v1().certificateSigningRequests().withName("watched-before").approve();
            String approved = lineWith(lines, "watched-before");
            assertNotNull(approved, "the row again once another client approved the CSR");
            assertEquals(List.of("watched-before", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes-admin",
                    "<none>", "Approved"), withoutAge(approved));
            assertTrue(kubectl.isAlive(), "still watching, no error: " + lines);
        } finally {
            kubectl.destroy();
            kubectl.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void listsInChunksThroughLimitAndContinue() {
        for (int i = 0; i < 7; i++) {
            admin.configMaps().inNamespace("chunked").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("cm-" + i).endMetadata().build()).create();
        }
        long before = session.emulator.requests().count("list configmaps");
        String names = session.ok("get", "configmaps", "-n", "chunked", "--chunk-size=3", "-o", "name");
        assertEquals(List.of("configmap/cm-0", "configmap/cm-1", "configmap/cm-2", "configmap/cm-3",
                "configmap/cm-4", "configmap/cm-5", "configmap/cm-6"), names.lines().toList());
        assertEquals(3, session.emulator.requests().count("list configmaps") - before, "three pages of at most three");
    }
}
