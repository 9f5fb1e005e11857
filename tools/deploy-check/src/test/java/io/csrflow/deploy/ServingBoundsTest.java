package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.approver.domain.Cidr;

/**
 * The approver certifies a kubelet's serving addresses only within bounds the deployment sets: a DNS
 * name pattern and IP ranges. k8s/ and the chart set bounds for a private network (to be narrowed per cluster);
 * compose sets exactly its simulated fleet's. Checked with the approver's own CIDR type and the
 * regular expression semantics it applies (a full match).
 */
class ServingBoundsTest {
    static final String PATTERN = "csrflow.approver.kubelet-serving.dns-name-pattern";
    static final String RANGES = "csrflow.approver.kubelet-serving.ip-ranges";

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void kubernetesBoundsServingCertificatesToPrivateNodeAddresses(Rendering rendering) throws Exception {
        List<JsonNode> objects = rendering.objects();
        DeployedConfig approver = DeployedConfig.of(KubernetesManifestsTest.named(objects, "Deployment", "approver-service"),
                objects);
        assertEquals("false", approver.value("csrflow.approver.kubelet-serving.trust-node-reported-addresses").orElseThrow());
        Pattern names = Pattern.compile(approver.value(PATTERN).orElseThrow(() -> new AssertionError("no " + PATTERN)));
        for (String name : List.of("node-1", "worker7", "ip-10-0-1-2.eu-west-1.compute.internal",
                "gke-pool-1-abc.c.my-project.internal", "aks-nodepool1-123.internal")) {
            assertTrue(names.matcher(name).matches(), name);
        }
        for (String name : List.of("api.example.com", "kubernetes.default.svc.cluster.local", "node-1.attacker.com",
                "evil.internal.example.com", "-node", "node_1", "", "a..internal")) {
            assertFalse(names.matcher(name).matches(), name);
        }
        List<Cidr> ranges = cidrs(approver.value(RANGES).orElseThrow(() -> new AssertionError("no " + RANGES)));
        for (Cidr range : ranges) {
            InetAddress network = InetAddress.getByAddress(range.network());
            boolean ula = network.getAddress().length == 16 && (network.getAddress()[0] & 0xfe) == 0xfc && range.prefix() >= 7;
            assertTrue(ula || network.isSiteLocalAddress() && range.prefix() >= 8, range + " is a private range");
        }
        InetAddress privateAddress = InetAddress.getByName("192.168.1.10");
        InetAddress publicAddress = InetAddress.getByName("8.8.8.8");
        assertTrue(ranges.stream().anyMatch(r -> r.contains(privateAddress)));
        assertFalse(ranges.stream().anyMatch(r -> r.contains(publicAddress)));
        // The cluster's own names and addresses are excluded by the approver; the deployment says what they are.
        assertTrue(approver.environment.containsKey("CSRFLOW_APPROVER_CLUSTER_SERVICE_CIDRS"));
        assertTrue(approver.environment.containsKey("CSRFLOW_APPROVER_CLUSTER_DOMAIN"));
        cidrs(approver.value("csrflow.approver.cluster.service-cidrs").orElseThrow());
    }

    /** Compose's bounds admit every node the fleet simulator makes, and not its foreign-SAN misbehaviour. */
    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void composeBoundsAdmitItsFleetAndNothingElse(ComposeFile file) throws Exception {
        JsonNode services = file.services();
        DeployedConfig approver = DeployedConfig.ofCompose("approver-service", services.path("approver-service"));
        Pattern names = Pattern.compile(approver.value(PATTERN).orElseThrow());
        List<Cidr> ranges = cidrs(approver.value(RANGES).orElseThrow());
        List<Cidr> serviceCidrs = cidrs(approver.value("csrflow.approver.cluster.service-cidrs").orElseThrow());
        JsonNode fleet = services.path("fleet-simulator").path("environment");
        int nodes = fleet.path("CSRFLOW_FLEET_NODES").asInt();
        String prefix = fleet.path("CSRFLOW_FLEET_NAME_PREFIX").asText("sim-node-");
        Method of = Class.forName("io.csrflow.fleet.NodeAddresses").getDeclaredMethod("of", String.class, int.class);
        of.setAccessible(true);
        assertTrue(nodes > 0);
        for (int i = 0; i < nodes; i++) {
            Record node = (Record) of.invoke(null, prefix, i);
            String name = (String) accessor(node, "name");
            InetAddress ip = InetAddress.getByName((String) accessor(node, "internalIp"));
            assertTrue(names.matcher(name).matches(), name);
            assertTrue(ranges.stream().anyMatch(r -> r.contains(ip)), ip.toString());
            assertFalse(serviceCidrs.stream().anyMatch(r -> r.contains(ip)), ip + " is no Service address");
        }
        assertFalse(names.matcher("api.example.com").matches(), "the fleet's foreign-san node asks for it");
        InetAddress apiService = InetAddress.getByName("10.43.0.1");
        assertFalse(ranges.stream().anyMatch(r -> r.contains(apiService)), "k3s's API Service");
    }

    private static Object accessor(Record record, String name) throws Exception {
        Method accessor = record.getClass().getDeclaredMethod(name);
        accessor.setAccessible(true);
        return accessor.invoke(record);
    }

    private static List<Cidr> cidrs(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).map(Cidr::parse).toList();
    }
}
