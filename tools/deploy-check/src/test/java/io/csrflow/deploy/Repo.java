package io.csrflow.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** The repository's files, as the deployment checks read them. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("csrflow.root", "../..")).toAbsolutePath().normalize();
    static final Map<String, String> SERVICES = Map.of("csr-watcher", "csr-watcher",
            "approver-service", "approver-service", "signer-service", "signer-service",
            "rotation-scheduler", "rotation-scheduler");

    private Repo() {
    }

    /** A service's application.properties, default profile. */
    static Properties properties(String module) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(ROOT.resolve(module)
                .resolve("src/main/resources/application.properties"))));
        return properties;
    }
}
