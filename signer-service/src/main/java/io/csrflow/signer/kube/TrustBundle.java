package io.csrflow.signer.kube;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.pki.Pem;
import io.csrflow.signer.SignerConfig;
import io.csrflow.signer.ca.CaRegistry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Trust distribution: a ConfigMap with each served signer's CA bundle ({@code <signer>.crt},
 * signer without the {@code kubernetes.io/} prefix): the current CA and, during a rotation, the
 * next one; updated whenever the CA files change.
 */
@ApplicationScoped
public class TrustBundle {
    private static final Logger LOG = Logger.getLogger(TrustBundle.class);

    private final KubernetesClient client;
    private final SignerConfig.TrustBundle config;

    TrustBundle(KubernetesClient client, SignerConfig config) {
        this.client = client;
        this.config = config.signer().trustBundle();
    }

    void publish(@Observes CaRegistry.CaChanged changed) {
        if (!config.enabled()) {
            return;
        }
        Map<String, String> data = new TreeMap<>();
        changed.bundles().forEach((signer, certificates) -> data.put(signer.substring(signer.indexOf('/') + 1) + ".crt",
                Pem.of(certificates)));
        ConfigMap bundle = new ConfigMapBuilder().withNewMetadata().withName(config.name())
                .withNamespace(config.namespace()).addToLabels("app.kubernetes.io/part-of", "csrflow")
                .endMetadata().withData(data).build();
        // Updated in place when it exists, so that RBAC may limit the signer to this one ConfigMap by
        // name (k8s/ ships it empty); created only where the signer may create ConfigMaps (./csrflow up).
        var existing = client.configMaps().inNamespace(config.namespace()).withName(config.name());
        try {
            ConfigMap current = existing.get();
            if (current == null) {
                client.configMaps().inNamespace(config.namespace()).resource(bundle).create();
            } else {
                client.configMaps().inNamespace(config.namespace())
                        .resource(new ConfigMapBuilder(current).withData(data).build()).update();
            }
        } catch (KubernetesClientException e) {
            LOG.errorf("could not publish the CA bundle ConfigMap %s/%s (HTTP %d): %s", config.namespace(),
                    config.name(), e.getCode(), e.getMessage());
        }
    }
}
