package io.csrflow.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Whether the service needs the Kubernetes API to do its work ({@code csrflow.kubernetes.*}). */
@ConfigMapping(prefix = "csrflow.kubernetes")
public interface KubernetesApiConfig {
    /**
     * Not ready while the API does not answer ({@link KubernetesReadiness}). The rotation scheduler
     * turns it off when it does not follow Nodes, its only use of the API.
     */
    @WithDefault("true")
    boolean required();
}
