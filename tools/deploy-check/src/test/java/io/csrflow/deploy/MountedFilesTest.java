package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.testsupport.YamlDocuments;

/**
 * Every file a csrflow container gets from a Secret or ConfigMap volume is readable by the user the
 * container runs as, computed as the kubelet sets owner, group and mode ({@link PodFiles}); and
 * every file the configuration names is such a file.
 */
class MountedFilesTest {
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyMountedSecretAndConfigMapFileIsReadableByItsContainer(Rendering rendering) {
        assertEquals(List.of(), unreadableFiles(rendering.objects()), rendering.toString());
    }

    static List<String> unreadableFiles(List<JsonNode> objects) {
        List<String> problems = new ArrayList<>();
        for (JsonNode deployment : deployments(objects)) {
            String service = deployment.path("metadata").path("name").asText();
            problems.addAll(PodFiles.unreadable(service, deployment.path("spec").path("template").path("spec"),
                    Repo.imageUser(service)));
        }
        return problems;
    }

    /**
     * The signer as it was: its CA Secret mounted 0400 (owner root) and no fsGroup, so the image's
     * user 185 could not read its own CA key and never signed.
     */
    @Test
    void theCheckFindsTheOldSignerCaKeyUnreadable() {
        // 256 is 0400: YAML's octal forms are not read alike by every parser; kubectl renders decimal.
        JsonNode pod = YamlDocuments.parse("""
                securityContext: {runAsNonRoot: true}
                containers:
                  - name: signer-service
                    volumeMounts: [{name: ca, mountPath: /etc/csrflow/ca, readOnly: true}]
                volumes:
                  - {name: ca, secret: {secretName: csrflow-signer-ca, defaultMode: 256}}
                """).get(0);
        List<String> found = PodFiles.unreadable("signer-service", pod, 185);
        assertEquals(List.of("signer-service/signer-service (uid 185, groups []) cannot read /etc/csrflow/ca/* "
                + "(secret csrflow-signer-ca, uid 0 gid 0 mode 0400)"), found);
    }

    /**
     * The kubelet's rules, one case a row: file mode (item mode or defaultMode; none: 0644), the pod's
     * fsGroup, runAsUser, runAsGroup and supplementalGroups ("-" for none), and whether it reads.
     */
    @ParameterizedTest(name = "mode {0} fsGroup {1} user {2} group {3} supplemental {4}: {5}")
    @CsvSource({
        "0400, -,    185, -,   -, false", // the signer as it was
        "0400, 185,  185, 185, -, true",  // fsGroup: group 185, group read added (0440)
        "0000, 2000, 185, 185, -, true",  // fsGroup is always one of the process's groups, and read is added
        "0440, -,    185, 185, -, false", // without fsGroup the file's group stays root's (0)
        "0440, -,    185, 0,   -, true",  // ... which a process of group 0 has
        "0640, -,    185, -,   0, true",  // ... or with 0 among its supplementalGroups
        "0600, -,    185, -,   0, false",
        "0400, -,    0,   -,   -, true",  // root, the owner
        "0000, -,    0,   -,   -, false", // root without capabilities has no override
        "-,    -,    185, -,   -, true",  // no mode: 0644, others may read
    })
    void readabilityFollowsTheKubeletsOwnershipRules(String mode, String fsGroup, long user, String group,
                                                     String supplemental, boolean readable) {
        String security = "{runAsUser: " + user + (group.equals("-") ? "" : ", runAsGroup: " + group)
                + (fsGroup.equals("-") ? "" : ", fsGroup: " + fsGroup)
                + (supplemental.equals("-") ? "" : ", supplementalGroups: [" + supplemental + "]") + "}";
        JsonNode pod = YamlDocuments.parse("securityContext: " + security + "\n"
                + "containers: [{name: c, volumeMounts: [{name: v, mountPath: /v}]}]\n"
                + "volumes: [{name: v, secret: {secretName: s, items: [{key: k, path: k"
                + (mode.equals("-") ? "" : ", mode: " + Integer.parseInt(mode, 8)) + "}]}}]\n").get(0);
        List<String> found = PodFiles.unreadable("p", pod, 185);
        assertEquals(readable, found.isEmpty(), found.toString());
    }

    /** Each csrflow pod runs as its image's user, in that user's group, which also owns its mounted files. */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyPodRunsAsItsImagesUserAndGroup(Rendering rendering) {
        String source = rendering.toString();
        for (JsonNode deployment : deployments(rendering.objects())) {
            String service = deployment.path("metadata").path("name").asText();
            JsonNode context = deployment.path("spec").path("template").path("spec").path("securityContext");
            long user = Repo.imageUser(service);
            assertEquals(user, context.path("runAsUser").asLong(-1), source + " " + service);
            assertEquals(user, context.path("runAsGroup").asLong(-1), source + " " + service);
            assertEquals(user, context.path("fsGroup").asLong(-1), source + " " + service);
            assertTrue(context.path("runAsNonRoot").asBoolean(), source + " " + service);
        }
    }

    /**
     * Every file a service's configuration names ({@code ...-file}, {@code ...-files}, the
     * QUARKUS_CONFIG_LOCATIONS) is a file of one of its Secret or ConfigMap volumes.
     */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyFileTheConfigurationNamesIsMounted(Rendering rendering) {
        assertEquals(List.of(), unmountedFiles(rendering.objects()), rendering.toString());
    }

    static List<String> unmountedFiles(List<JsonNode> objects) {
        List<String> problems = new ArrayList<>();
        for (JsonNode deployment : deployments(objects)) {
            DeployedConfig config = DeployedConfig.of(deployment, objects);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            JsonNode container = pod.path("containers").get(0);
            List<String> paths = new ArrayList<>(config.locations());
            config.environment.forEach((name, value) -> {
                if (name.startsWith("CSRFLOW_") && name.matches(".*_FILES?")) {
                    paths.addAll(List.of(value.split(",")));
                }
            });
            config.fileProperties().forEach((name, value) -> {
                if (name.matches(".*-files?")) {
                    paths.addAll(List.of(value.split(",")));
                }
            });
            for (String path : paths) {
                if (PodFiles.at(pod, container, path.trim()).isEmpty()) {
                    problems.add(config.service + " names " + path + ", which no Secret or ConfigMap volume provides");
                }
            }
            config.unresolved.forEach(l -> problems.add(config.service + ": " + l + " is in no mounted ConfigMap"));
        }
        return problems;
    }

    static List<JsonNode> deployments(List<JsonNode> objects) {
        return objects.stream().filter(o -> o.path("kind").asText().equals("Deployment")).toList();
    }
}
