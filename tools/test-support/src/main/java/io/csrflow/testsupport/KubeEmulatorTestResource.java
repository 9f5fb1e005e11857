package io.csrflow.testsupport;

import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * {@code @QuarkusTestResource(value = KubeEmulatorTestResource.class, initArgs = @ResourceArg(name =
 * "token", value = "..."))}: a Kubernetes API emulator for one test class, with the service's
 * kubernetes-client pointed at it and logged in as the user of {@code token}, authorized by the RBAC
 * of k8s/ ({@link ClusterManifests}). Fields annotated {@link InjectKubeEmulator} receive the emulator.
 * {@code serviceClusterIpRange} (optional) is the CIDR Services get cluster IPs from, as kube-apiserver's
 * {@code --service-cluster-ip-range} (the emulator's default is 10.96.0.0/12).
 */
public final class KubeEmulatorTestResource implements QuarkusTestResourceLifecycleManager {
    private String token = "admin-token";
    private String heldLease;
    private String serviceClusterIpRange;
    private KubeEmulator emulator;

    @Override
    public void init(Map<String, String> initArgs) {
        token = initArgs.getOrDefault("token", token);
        heldLease = initArgs.get("heldLease");
        serviceClusterIpRange = initArgs.get("serviceClusterIpRange");
    }

    @Override
    public Map<String, String> start() {
        // The service gets exactly the RBAC that k8s/ gives it, and finds what k8s/ creates for it.
        EmulatorConfig config = EmulatorConfig.defaults().withRbac(ClusterManifests.devOverlay());
        if (serviceClusterIpRange != null) {
            config = config.withServiceClusterIpRange(serviceClusterIpRange);
        }
        emulator = KubeEmulator.start(config, "127.0.0.1", 0, true);
        try (KubernetesClient admin = emulator.client("admin-token")) {
            ClusterManifests.createServedObjects(admin);
        }
        if (heldLease != null) {
            seedLease(heldLease);
        }
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", emulator.url(),
                "quarkus.kubernetes-client.token", token,
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.devservices.enabled", "false");
    }

    private void seedLease(String spec) {
        String[] nsNameHolder = spec.split("[/=:]");
        try (KubernetesClient admin = emulator.client("admin-token")) {
            admin.leases().inNamespace(nsNameHolder[0]).resource(new LeaseBuilder()
                    .withNewMetadata().withName(nsNameHolder[1]).withNamespace(nsNameHolder[0]).endMetadata()
                    .withNewSpec().withHolderIdentity(nsNameHolder[2])
                    .withLeaseDurationSeconds(Integer.parseInt(nsNameHolder[3]))
                    .withAcquireTime(ZonedDateTime.now(ZoneOffset.UTC)).withRenewTime(ZonedDateTime.now(ZoneOffset.UTC))
                    .withLeaseTransitions(0).endSpec().build()).create();
        }
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
