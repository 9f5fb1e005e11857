package io.csrflow.service;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.common.annotation.Identifier;

/**
 * Ready only while the broker answers. Quarkus' own Kafka check waits without a bound when the
 * broker is away; a probe must answer in a couple of seconds, so this one asks with a timeout. Its
 * admin client is made at the first check after a bootstrap host resolves ({@link KafkaBootstrap}):
 * until then the check says which name does not resolve yet.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
    private static final int TIMEOUT_MS = 2_000;

    private final Map<String, Object> props = new HashMap<>();
    private final KafkaBootstrap bootstrap;
    private Admin admin;

    KafkaReadiness(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "quarkus.application.name") String applicationName, KafkaBootstrap bootstrap) {
        this.bootstrap = bootstrap;
        props.putAll(kafkaConfig);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, applicationName + "-health");
    }

    @Override
    public HealthCheckResponse call() {
        Optional<String> waiting = bootstrap.waitingFor();
        if (waiting.isPresent()) {
            return down(waiting.get());
        }
        try {
            int nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                    .get(TIMEOUT_MS + 500L, TimeUnit.MILLISECONDS).size();
            return HealthCheckResponse.named("kafka").up().withData("brokers", nodes).build();
        } catch (Exception e) {
            return down(String.valueOf(e.getMessage()));
        }
    }

    private static HealthCheckResponse down(String reason) {
        return HealthCheckResponse.named("kafka").down().withData("reason", reason).build();
    }

    /** Made once, at the first check that gets this far; a failure is reported and tried again next time. */
    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(props);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
