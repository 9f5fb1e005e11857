package io.csrflow.deploy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The repository's compose files: docker-compose.yml (k3s, apache/kafka and Jaeger, for machines with
 * Docker) and compose.local.yml (the images tools/images/run builds: the Kubernetes API emulator and
 * the project's broker, run here by tools/images/compose-check). Every compose check that holds for
 * both runs on each, as the deployment checks run on every {@link Rendering}.
 */
enum ComposeFile {
    DOCKER("docker-compose.yml", "k3s", "k3s-init", List.of("k3s-server", "k3s-admin")),
    LOCAL("compose.local.yml", "kube-emulator", "credentials-init", List.of("kube-emulator-config", "kube-admin"));

    final String file;
    /** The service that is the Kubernetes API. */
    final String apiServer;
    /** The one-shot step that makes a run's credentials and writes each service's volume. */
    final String credentialsStep;
    /**
     * Volumes whose content makes anyone the cluster's administrator: the API server's keys and every
     * caller's credentials, the admin kubeconfig.
     */
    final List<String> adminVolumes;

    ComposeFile(String file, String apiServer, String credentialsStep, List<String> adminVolumes) {
        this.file = file;
        this.apiServer = apiServer;
        this.credentialsStep = credentialsStep;
        this.adminVolumes = adminVolumes;
    }

    /** What {@code docker-compose config} makes of the file. */
    JsonNode config() {
        return Repo.compose(file);
    }

    JsonNode services() {
        return config().path("services");
    }

    /** One-shot set-up steps, named {@code *-init}: they may mount what the services may not. */
    static boolean isSetupStep(String service) {
        return service.endsWith("-init");
    }
}
