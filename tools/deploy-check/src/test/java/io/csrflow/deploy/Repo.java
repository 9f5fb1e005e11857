package io.csrflow.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.YamlDocuments;

/** The repository's files, as the deployment checks read them. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("csrflow.root", "../..")).toAbsolutePath().normalize();
    static final Map<String, String> SERVICES = Map.of("csr-watcher", "csr-watcher",
            "approver-service", "approver-service", "signer-service", "signer-service",
            "rotation-scheduler", "rotation-scheduler");

    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();
    private static final Pattern USER = Pattern.compile("(?m)^USER\\s+(\\d+)\\s*$");

    private Repo() {
    }

    /** A service's application.properties, default profile. */
    static Properties properties(String module) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(ROOT.resolve(module)
                .resolve("src/main/resources/application.properties"))));
        return properties;
    }

    /** What {@code kubectl kustomize dir} renders, rendered once per test run. */
    static List<JsonNode> render(String dir) {
        return RENDERED.computeIfAbsent(dir, d -> YamlDocuments.kustomize(ROOT, d));
    }

    /** What {@code docker-compose config} makes of docker-compose.yml. */
    static JsonNode compose() {
        return RENDERED.computeIfAbsent("docker-compose.yml", f -> YamlDocuments.parse(
                Cli.run(ROOT, null, "docker-compose", "-f", f, "config"))).get(0);
    }

    /** The numeric user a module's image runs as: the USER of its Dockerfile. */
    static long imageUser(String module) {
        Path dockerfile = ROOT.resolve(module).resolve("src/main/docker/Dockerfile.jvm");
        try {
            Matcher user = USER.matcher(Files.readString(dockerfile));
            if (!user.find()) {
                throw new AssertionError(dockerfile + " names no numeric USER");
            }
            return Long.parseLong(user.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
