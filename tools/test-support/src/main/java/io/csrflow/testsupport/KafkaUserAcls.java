package io.csrflow.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The ACLs of a Strimzi {@code KafkaUser} (simple authorization) as the broker's own ACL bindings,
 * so that a test broker enforces exactly what a manifest grants, as Strimzi's user operator would
 * make the cluster enforce it. The user's principal is {@code User:<metadata.name>}, as for
 * Strimzi's SCRAM users.
 */
public final class KafkaUserAcls {
    private static final Map<String, ResourceType> RESOURCE_TYPES = Map.of(
            "topic", ResourceType.TOPIC,
            "group", ResourceType.GROUP,
            "cluster", ResourceType.CLUSTER,
            "transactionalId", ResourceType.TRANSACTIONAL_ID);

    private KafkaUserAcls() {
    }

    /** The bindings of one KafkaUser object; an entry Strimzi would not accept is an error. */
    public static List<AclBinding> of(JsonNode kafkaUser) {
        String user = kafkaUser.path("metadata").path("name").asText();
        JsonNode authorization = kafkaUser.path("spec").path("authorization");
        if (!authorization.path("type").asText().equals("simple")) {
            throw new IllegalArgumentException("KafkaUser " + user + ": only simple authorization is understood");
        }
        List<AclBinding> bindings = new ArrayList<>();
        for (JsonNode rule : authorization.path("acls")) {
            ResourcePattern pattern = pattern(user, rule.path("resource"));
            String host = rule.path("host").asText("*");
            AclPermissionType permission = rule.path("type").asText("allow").equals("deny")
                    ? AclPermissionType.DENY : AclPermissionType.ALLOW;
            for (JsonNode operation : rule.path("operations")) {
                bindings.add(new AclBinding(pattern, new AccessControlEntry("User:" + user, host,
                        operation(user, operation.asText()), permission)));
            }
        }
        return bindings;
    }

    /** Creates the bindings through {@code bootstrapServers}, which must accept the caller as a super user. */
    public static void apply(String bootstrapServers, List<AclBinding> bindings) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("creating ACLs failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ResourcePattern pattern(String user, JsonNode resource) {
        String type = resource.path("type").asText();
        ResourceType resourceType = RESOURCE_TYPES.get(type);
        if (resourceType == null) {
            throw new IllegalArgumentException("KafkaUser " + user + ": unknown resource type '" + type + "'");
        }
        String name = resourceType == ResourceType.CLUSTER ? "kafka-cluster" : resource.path("name").asText();
        String patternType = resource.path("patternType").asText("literal");
        PatternType kafkaPattern = switch (patternType) {
            case "literal" -> PatternType.LITERAL;
            case "prefix" -> PatternType.PREFIXED;
            default -> throw new IllegalArgumentException("KafkaUser " + user + ": unknown patternType '"
                    + patternType + "'");
        };
        return new ResourcePattern(resourceType, name, kafkaPattern);
    }

    /** Strimzi spells operations in CamelCase (DescribeConfigs); Kafka's enum is DESCRIBE_CONFIGS. */
    private static AclOperation operation(String user, String strimzi) {
        AclOperation operation;
        try {
            operation = AclOperation.fromString(strimzi.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            operation = AclOperation.UNKNOWN;
        }
        if (operation == AclOperation.UNKNOWN || operation == AclOperation.ANY) {
            throw new IllegalArgumentException("KafkaUser " + user + ": unknown operation '" + strimzi + "'");
        }
        return operation;
    }
}
