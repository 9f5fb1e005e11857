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
    private static final Pattern USER = Pattern.compile("(?m)^USER\\s+(\\d+):(\\d+)\\s*$");

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
        return compose("docker-compose.yml");
    }

    /** What {@code docker-compose config} makes of a compose file of the repository. */
    static JsonNode compose(String file) {
        return RENDERED.computeIfAbsent(file, f -> YamlDocuments.parse(
                Cli.run(ROOT, null, "docker-compose", "-f", f, "config"))).get(0);
    }

    /** The numeric user and group an image runs as: the {@code USER uid:gid} of its Dockerfile. */
    record ImageUser(long uid, long gid) {
    }

    /** The user and group a module's image runs as. */
    static long imageUser(String module) {
        ImageUser user = imageUser(ROOT.resolve(module).resolve("src/main/docker/Dockerfile.jvm"));
        if (user.uid() != user.gid()) {
            throw new AssertionError(module + "'s image runs as " + user + ": k8s/ gives one id for user, group and fsGroup");
        }
        return user.uid();
    }

    /**
     * The last {@code USER} of a Dockerfile, the one the image runs as: {@code uid:gid}, both
     * numeric, so that the image runs as them on any base.
     */
    static ImageUser imageUser(Path dockerfile) {
        try {
            String text = Files.readString(dockerfile);
            Matcher last = Pattern.compile("(?m)^USER\\s+(\\S+)\\s*$").matcher(text);
            String user = null;
            while (last.find()) {
                user = last.group(1);
            }
            Matcher numeric = USER.matcher(user == null ? "" : "USER " + user);
            if (!numeric.find()) {
                throw new AssertionError(dockerfile + " runs as " + user + ", not a numeric USER uid:gid");
            }
            return new ImageUser(Long.parseLong(numeric.group(1)), Long.parseLong(numeric.group(2)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
