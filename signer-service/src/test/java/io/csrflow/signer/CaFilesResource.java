package io.csrflow.signer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.csrflow.testsupport.TestCa;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * CA files in a temporary folder, given to the signer as its one CA; tests may replace them. The
 * signer reads its bundle ConfigMap back every second here, so that a test sees an edit undone soon.
 */
public class CaFilesResource implements QuarkusTestResourceLifecycleManager {
    static Path folder;

    @Override
    public Map<String, String> start() {
        try {
            folder = Files.createTempDirectory("signer-ca");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        TestCa ca = TestCa.create(folder, "csrflow-test-ca-1", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(3650)));
        TestCa next = TestCa.create(folder.resolve("next"), "csrflow-test-ca-next", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(3650)));
        return Map.of("csrflow.signer.ca.cert-file", ca.certFile().toString(),
                "csrflow.signer.ca.key-file", ca.keyFile().toString(),
                "csrflow.signer.ca.next-cert-file", next.certFile().toString(),
                "csrflow.signer.trust-bundle.resync-interval", "1s");
    }

    @Override
    public void stop() {
    }
}
