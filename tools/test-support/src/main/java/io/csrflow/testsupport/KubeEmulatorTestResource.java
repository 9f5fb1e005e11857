package io.csrflow.testsupport;

import java.util.Map;

import io.csrflow.emulator.KubeEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * {@code @QuarkusTestResource(value = KubeEmulatorTestResource.class, initArgs = @ResourceArg(name =
 * "token", value = "..."))}: a Kubernetes API emulator for one test class, with the service's
 * kubernetes-client pointed at it and logged in as the user of {@code token}. Fields annotated
 * {@link InjectKubeEmulator} receive the emulator.
 */
public final class KubeEmulatorTestResource implements QuarkusTestResourceLifecycleManager {
    private String token = "admin-token";
    private KubeEmulator emulator;

    @Override
    public void init(Map<String, String> initArgs) {
        token = initArgs.getOrDefault("token", token);
    }

    @Override
    public Map<String, String> start() {
        emulator = KubeEmulator.startDefault();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", emulator.url(),
                "quarkus.kubernetes-client.token", token,
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.devservices.enabled", "false");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(emulator,
                new TestInjector.AnnotatedAndMatchesType(InjectKubeEmulator.class, KubeEmulator.class));
    }

    @Override
    public void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }
}
