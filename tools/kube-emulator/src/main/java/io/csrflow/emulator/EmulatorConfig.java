package io.csrflow.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Who the emulator's callers are (bearer token → user) and what they may do (RBAC-like rules that
 * answer SubjectAccessReviews). {@link #defaults()} is {@code default-config.yaml}: a kubeadm
 * cluster's CSR rules plus the identities csrflow's services and tests use.
 */
public record EmulatorConfig(List<User> users, List<AccessRule> rules) {

    public EmulatorConfig {
        users = users == null ? List.of() : List.copyOf(users);
        rules = rules == null ? List.of() : List.copyOf(rules);
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
     */
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
        List<User> more = new java.util.ArrayList<>(users);
        more.add(user);
        return new EmulatorConfig(more, rules);
    }
}
