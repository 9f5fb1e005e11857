package io.csrflow.signer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.TestCa;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The shared CA for Kubernetes' signers ({@code shared/}) and csrflow.io/workload-serving with a CA of
 * its own ({@code workload/}) and a server profile of at most 4 SANs and 48 hours, answering pod
 * certificates of pods-web (service account web, app=web) and pods-batch; namespaces labelled
 * {@code csrflow.io/no-ca-bundle} get no bundle. Tests may replace the files.
 */
public class WorkloadSignerResource implements QuarkusTestResourceLifecycleManager {
    static final String SIGNER = "csrflow.io/workload-serving";
    static final String OPT_OUT = "csrflow.io/no-ca-bundle";
    static Path shared;
    static Path workload;

    /** The application of the workload signer's tests, apart from the other tests' CA settings. */
    public static class WorkloadSigners implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "signer-token")),
                    new TestResourceEntry(WorkloadSignerResource.class));
        }
    }

    @Override
    public Map<String, String> start() {
        try {
            Path folder = Files.createTempDirectory("workload-signer");
            shared = folder.resolve("shared");
            workload = folder.resolve("workload");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Instant now = Instant.now();
        TestCa.create(shared, "csrflow-test-client-ca", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)));
        TestCa.create(workload, "csrflow-test-workload-ca-1", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(3650)));
        String key = "csrflow.signer.signers.\"" + SIGNER + "\".";
        return Map.ofEntries(
                Map.entry("csrflow.signer.ca.cert-file", shared.resolve("ca.crt").toString()),
                Map.entry("csrflow.signer.ca.key-file", shared.resolve("ca.key").toString()),
                Map.entry(key + "cert-file", workload.resolve("ca.crt").toString()),
                Map.entry(key + "key-file", workload.resolve("ca.key").toString()),
                Map.entry(key + "profile.usages", "server"),
                Map.entry(key + "profile.san-types", "dns,ip"),
                Map.entry(key + "profile.max-sans", "4"),
                Map.entry(key + "profile.max-duration", "48h"),
                // Pod certificates: pods of service account web labelled app=web in pods-web; any pod of pods-batch.
                Map.entry(key + "pod-certificates.allow[0].namespaces", "pods-web"),
                Map.entry(key + "pod-certificates.allow[0].service-accounts", "web"),
                Map.entry(key + "pod-certificates.allow[0].pod-selector", "app=web"),
                Map.entry(key + "pod-certificates.allow[1].namespaces", "pods-batch"),
                Map.entry(key + "pod-certificates.trust-domain", "test.example"),
                Map.entry("csrflow.signer.namespace-bundles.namespace-selector", "!" + OPT_OUT));
    }

    @Override
    public void stop() {
    }
}
