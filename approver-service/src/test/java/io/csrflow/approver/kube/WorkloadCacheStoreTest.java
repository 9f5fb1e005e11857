package io.csrflow.approver.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.csrflow.approver.domain.WorkloadDirectory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.csrflow.service.SlimStore;

/**
 * What the informers' stores keep of each object: the fields the workload rule reads, found by name
 * and by IP, following updates and deletions, and for the informer only key and resourceVersion.
 */
class WorkloadCacheStoreTest {
    static Pod pod(String name, String resourceVersion, String... ips) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).withUid("uid-" + name)
                .withResourceVersion(resourceVersion).endMetadata().withNewSpec().withServiceAccountName("web")
                .withHostname("h").withSubdomain("s").endSpec().withNewStatus().withPhase("Running").endStatus();
        for (String ip : ips) {
            pod.editStatus().addNewPodIP(ip).endStatus();
        }
        return pod.build();
    }

    @Test
    void aPodIsFoundByItsCurrentIpsOnlyAndForgottenWhenDeleted() {
        SlimStore<Pod, WorkloadDirectory.WorkloadPod> pods = WorkloadCache.podStore();
        pods.put("shop/web-1", pod("web-1", "1", "10.0.0.1", "fd00::1"));
        assertEquals("web", pods.indexed("fd00:0:0:0:0:0:0:1").get(0).value().serviceAccount());

        Pod old = pods.put("shop/web-1", pod("web-1", "2", "10.0.0.2"));
        assertEquals("1", old.getMetadata().getResourceVersion(), "the informer compares versions");
        assertEquals(List.of(), pods.indexed("10.0.0.1"));
        assertEquals("web-1", pods.indexed("10.0.0.2").get(0).name());
        assertEquals(new WorkloadDirectory.WorkloadPod("shop", "web-1", "uid-web-1", "web", false, false,
                List.of("10.0.0.2"), "h", "s"), pods.record("shop", "web-1").orElseThrow());

        assertEquals("2", pods.get("shop/web-1").getMetadata().getResourceVersion());
        assertEquals(List.of("shop/web-1"), pods.keySet().toList());
        assertTrue(pods.get("shop/web-1").getSpec() == null, "no object is kept, only its record");

        pods.remove("shop/web-1");
        assertEquals(List.of(), pods.indexed("10.0.0.2"));
        assertTrue(pods.record("shop", "web-1").isEmpty());
        assertNull(pods.get("shop/web-1"));
        assertEquals(0, pods.size());
    }

    @Test
    void aPodWithoutAServiceAccountRunsAsDefaultAndAFinishedOneIsMarked() {
        Pod pod = new PodBuilder(pod("job-1", "1", "10.0.0.3")).editSpec().withServiceAccountName(null).endSpec()
                .editStatus().withPhase("Succeeded").endStatus().build();
        WorkloadDirectory.WorkloadPod record = WorkloadCache.pod(pod);
        assertEquals("default", record.serviceAccount());
        assertTrue(record.finished());
    }

    @Test
    void servicesKeepTheirClusterIpsAndSlicesTheirTargets() {
        assertEquals(List.of(), WorkloadCache.clusterIps(new ServiceBuilder().withNewSpec().withClusterIP("None")
                .endSpec().build()).ips());
        assertEquals(List.of("10.96.0.10", "fd00:96:0:0:0:0:0:a"), WorkloadCache.clusterIps(new ServiceBuilder()
                .withNewSpec().withClusterIPs("10.96.0.10", "fd00:96::a").endSpec().build()).ips());

        WorkloadCache.Slice slice = WorkloadCache.slice(new EndpointSliceBuilder().withNewMetadata().withNamespace("shop")
                .withName("web-x").addToLabels("kubernetes.io/service-name", "web")
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .addNewEndpoint().withAddresses("10.0.0.1").withNewTargetRef().withKind("Pod").withName("web-1")
                .endTargetRef().endEndpoint()
                .addNewEndpoint().withAddresses("192.0.2.1").endEndpoint().build());
        assertEquals(new WorkloadCache.Slice("web", "endpointslice-controller.k8s.io", List.of(
                new WorkloadCache.Target("Pod", "shop", "web-1"), new WorkloadCache.Target("", "", ""))), slice);
    }
}
