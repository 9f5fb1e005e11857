package io.csrflow.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Who the emulator's callers are (bearer token → user) and what they may do: RBAC objects
 * ({@code rbac.authorization.k8s.io/v1} Roles, ClusterRoles and their bindings) that the emulator
 * stores at start, besides the API server's own defaults. {@link #defaults()} is
 * {@code default-config.yaml}: kubeadm's bindings plus the identities csrflow's services and tests
 * use. {@code rules}, the emulator's former RBAC-like grants, still load: each becomes a ClusterRole
 * and a ClusterRoleBinding of its name.
 */
public record EmulatorConfig(List<User> users, List<JsonNode> rbac, List<AccessRule> rules,
        String serviceClusterIpRange) {

    public EmulatorConfig {
        users = users == null ? List.of() : List.copyOf(users);
        rbac = rbac == null ? List.of() : List.copyOf(RbacManifests.rbacOnly(rbac));
        rules = rules == null ? List.of() : List.copyOf(rules);
        serviceClusterIpRange = serviceClusterIpRange == null || serviceClusterIpRange.isBlank()
                ? ServiceCidr.DEFAULT : serviceClusterIpRange;
    }

    public EmulatorConfig(List<User> users, List<JsonNode> rbac, List<AccessRule> rules) {
        this(users, rbac, rules, null);
    }

    /**
     * A copy whose Services get cluster IPs from {@code cidr}, as kube-apiserver's
     * {@code --service-cluster-ip-range} (default {@value ServiceCidr#DEFAULT}).
     */
    public EmulatorConfig withServiceClusterIpRange(String cidr) {
        ServiceCidr.parse(cidr);
        return new EmulatorConfig(users, rbac, rules, cidr);
    }

    /** A caller, identified by its bearer token, as the API server's authenticator would see it. */
    public record User(String token, String username, String uid, List<String> groups,
                       Map<String, List<String>> extra) {
        public User {
            if (token == null || token.isBlank() || username == null || username.isBlank()) {
                throw new IllegalArgumentException("every user needs a token and a username");
            }
            groups = groups == null ? List.of() : List.copyOf(groups);
            extra = extra == null ? Map.of() : Map.copyOf(extra);
            uid = uid == null ? "uid-" + username : uid;
        }
    }

    /**
     * Allows {@code verbs} on {@code resources} (as {@code resource} or {@code resource/subresource})
     * of {@code apiGroups} to {@code users} and members of {@code groups}; {@code *} matches all.
     *
     * @deprecated write RBAC objects under {@code rbac} instead
     */
    @Deprecated
    public record AccessRule(String name, List<String> users, List<String> groups, List<String> verbs,
                             List<String> apiGroups, List<String> resources) {
        public AccessRule {
            users = users == null ? List.of() : List.copyOf(users);
            groups = groups == null ? List.of() : List.copyOf(groups);
            verbs = verbs == null ? List.of() : List.copyOf(verbs);
            apiGroups = apiGroups == null ? List.of() : List.copyOf(apiGroups);
            resources = resources == null ? List.of() : List.copyOf(resources);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static EmulatorConfig defaults() {
        try (InputStream in = EmulatorConfig.class.getResourceAsStream("/default-config.yaml")) {
            return YAML.readValue(in, EmulatorConfig.class);
        } catch (IOException e) {
            throw new IllegalStateException("default-config.yaml is missing from the emulator jar", e);
        }
    }

    public static EmulatorConfig load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return YAML.readValue(in, EmulatorConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read emulator config " + file + ": " + e.getMessage(), e);
        }
    }

    public User user(String username) {
        return users.stream().filter(u -> u.username().equals(username)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no user " + username + " in the emulator config"));
    }

    /** A copy with one more user, e.g. a kubelet that a test or the fleet simulator brings. */
    public EmulatorConfig withUser(User user) {
        List<User> more = new ArrayList<>(users);
        more.add(user);
        return new EmulatorConfig(more, rbac, rules, serviceClusterIpRange);
    }

    /**
     * A copy with the RBAC objects among {@code objects} added (as rendered manifests hold them, beside
     * other kinds, which are left out); a later object of the same kind and name replaces an earlier one.
     */
    public EmulatorConfig withRbac(List<? extends JsonNode> objects) {
        List<JsonNode> more = new ArrayList<>(rbac);
        more.addAll(RbacManifests.rbacOnly(objects));
        return new EmulatorConfig(users, more, rules, serviceClusterIpRange);
    }

    /** {@link #withRbac(List)} with the objects of a manifest file (multi-document YAML, or a List). */
    public EmulatorConfig withRbac(Path manifests) {
        return withRbac(RbacManifests.read(manifests));
    }

    /** Every RBAC object the config brings: {@code rbac}, then one ClusterRole and binding per legacy rule. */
    List<ObjectNode> rbacObjects() {
        List<ObjectNode> objects = new ArrayList<>(RbacManifests.rbacOnly(rbac));
        for (AccessRule rule : rules) {
            ObjectNode role = Json.MAPPER.createObjectNode();
            role.put("apiVersion", RbacManifests.GROUP + "/v1").put("kind", "ClusterRole");
            role.putObject("metadata").put("name", rule.name());
            ObjectNode policy = role.putArray("rules").addObject();
            rule.verbs().forEach(policy.putArray("verbs")::add);
            rule.apiGroups().forEach(policy.putArray("apiGroups")::add);
            rule.resources().forEach(policy.putArray("resources")::add);
            ObjectNode binding = Json.MAPPER.createObjectNode();
            binding.put("apiVersion", RbacManifests.GROUP + "/v1").put("kind", "ClusterRoleBinding");
            binding.putObject("metadata").put("name", rule.name());
            binding.putObject("roleRef").put("apiGroup", RbacManifests.GROUP).put("kind", "ClusterRole")
                    .put("name", rule.name());
            var subjects = binding.putArray("subjects");
            rule.users().forEach(u -> subjects.addObject().put("apiGroup", RbacManifests.GROUP).put("kind", "User")
                    .put("name", u));
            rule.groups().forEach(g -> subjects.addObject().put("apiGroup", RbacManifests.GROUP).put("kind", "Group")
                    .put("name", g));
            objects.add(role);
            objects.add(binding);
        }
        return objects;
    }
}
