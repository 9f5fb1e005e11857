package io.csrflow.emulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the protobuf bodies kubectl's typed clients send for the commands of the workload flow
 * ({@code kubectl create namespace}, {@code create serviceaccount}, {@code create token},
 * {@code create service}, {@code create configmap}, {@code create secret}, {@code create role},
 * {@code create rolebinding}, {@code create clusterrole}, {@code create clusterrolebinding}): the
 * magic {@code k8s\0}, a runtime.Unknown whose {@code raw} field is the object. Decoded into the JSON
 * the rest of the emulator reads: ObjectMeta's name (1), generateName (2), namespace (3), labels (11)
 * and annotations (12); a Namespace's spec.finalizers; a TokenRequest's spec (audiences 1,
 * boundObjectRef 3, expirationSeconds 4); a Service's spec (ports 1, selector 2, clusterIP 3, type 4,
 * externalName 10, clusterIPs 18); a ConfigMap's data (2), binaryData (3) and immutable (4); a
 * Secret's data (2), type (3), stringData (4) and immutable (5); a Role's or ClusterRole's rules (2,
 * PolicyRule: verbs 1, apiGroups 2, resources 3, resourceNames 4, nonResourceURLs 5) and a
 * ClusterRole's aggregationRule (3, clusterRoleSelectors 1); a RoleBinding's or ClusterRoleBinding's
 * subjects (2: kind 1, apiGroup 2, name 3, namespace 4) and roleRef (3: apiGroup 1, kind 2, name 3).
 */
final class TypedProtobuf {
    private static final String RBAC = "rbac.authorization.k8s.io";

    /** What the emulator reads as protobuf, for the 415 answer to any other protobuf body. */
    static final String READ = "namespaces, serviceaccounts, serviceaccounts/token, services, configmaps, secrets, "
            + "roles, rolebindings, clusterroles, clusterrolebindings, certificatesigningrequests/approval, "
            + "subjectaccessreviews and selfsubjectaccessreviews";

    private TypedProtobuf() {
    }

    /** The object of a protobuf body sent to {@code path}, or null when the emulator does not read that kind. */
    static ObjectNode decode(ApiPath path, byte[] body) {
        if (path.is("", "namespaces") && path.subresource() == null) {
            return ProtobufReader.decodeObject(body, in -> object(in, "Namespace", true));
        }
        if (path.is("", "serviceaccounts") && path.subresource() == null) {
            return ProtobufReader.decodeObject(body, in -> object(in, "ServiceAccount", false));
        }
        if (path.is("", "services") && path.subresource() == null) {
            return ProtobufReader.decodeObject(body, TypedProtobuf::service);
        }
        if (path.is("", "serviceaccounts") && "token".equals(path.subresource())) {
            return ProtobufReader.decodeObject(body, TypedProtobuf::tokenRequest);
        }
        if (path.subresource() != null) {
            return null;
        }
        if (path.is("", "configmaps")) {
            return ProtobufReader.decodeObject(body, TypedProtobuf::configMap);
        }
        if (path.is("", "secrets")) {
            return ProtobufReader.decodeObject(body, TypedProtobuf::secret);
        }
        if (path.is(RBAC, "roles") || path.is(RBAC, "clusterroles")) {
            String kind = path.is(RBAC, "roles") ? "Role" : "ClusterRole";
            return ProtobufReader.decodeObject(body, in -> role(in, kind));
        }
        if (path.is(RBAC, "rolebindings") || path.is(RBAC, "clusterrolebindings")) {
            String kind = path.is(RBAC, "rolebindings") ? "RoleBinding" : "ClusterRoleBinding";
            return ProtobufReader.decodeObject(body, in -> roleBinding(in, kind));
        }
        return null;
    }

    private static ObjectNode configMap(ProtobufReader in) {
        ObjectNode configMap = Json.MAPPER.createObjectNode();
        configMap.put("apiVersion", "v1").put("kind", "ConfigMap");
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> metadata(reader(in), configMap.putObject("metadata"));
                case 2 -> {
                    String[] entry = mapEntry(reader(in));
                    Json.object(configMap, "data").put(entry[0], entry[1]);
                }
                case 3 -> {
                    byte[][] entry = bytesMapEntry(reader(in));
                    Json.object(configMap, "binaryData").put(new String(entry[0], StandardCharsets.UTF_8),
                            Base64.getEncoder().encodeToString(entry[1]));
                }
                case 4 -> configMap.put("immutable", in.varint() != 0);
                default -> in.skip();
            }
        }
        return configMap;
    }

    private static ObjectNode secret(ProtobufReader in) {
        ObjectNode secret = Json.MAPPER.createObjectNode();
        secret.put("apiVersion", "v1").put("kind", "Secret");
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> metadata(reader(in), secret.putObject("metadata"));
                case 2 -> {
                    byte[][] entry = bytesMapEntry(reader(in));
                    Json.object(secret, "data").put(new String(entry[0], StandardCharsets.UTF_8),
                            Base64.getEncoder().encodeToString(entry[1]));
                }
                case 3 -> putUnlessEmpty(secret, "type", in.string());
                case 4 -> {
                    String[] entry = mapEntry(reader(in));
                    Json.object(secret, "stringData").put(entry[0], entry[1]);
                }
                case 5 -> secret.put("immutable", in.varint() != 0);
                default -> in.skip();
            }
        }
        return secret;
    }

    /** Role and ClusterRole: metadata 1, rules 2, and a ClusterRole's aggregationRule 3. */
    private static ObjectNode role(ProtobufReader in, String kind) {
        ObjectNode role = Json.MAPPER.createObjectNode();
        role.put("apiVersion", RBAC + "/v1").put("kind", kind);
        while (in.more()) {
            int field = in.tag();
            if (field == 1) {
                metadata(reader(in), role.putObject("metadata"));
            } else if (field == 2) {
                policyRule(reader(in), Json.array(role, "rules").addObject());
            } else if (field == 3 && "ClusterRole".equals(kind)) {
                ProtobufReader aggregation = reader(in);
                ObjectNode aggregationNode = role.putObject("aggregationRule");
                while (aggregation.more()) {
                    if (aggregation.tag() == 1) {
                        labelSelector(reader(aggregation), Json.array(aggregationNode, "clusterRoleSelectors")
                                .addObject());
                    } else {
                        aggregation.skip();
                    }
                }
            } else {
                in.skip();
            }
        }
        return role;
    }

    /** PolicyRule: verbs 1, apiGroups 2, resources 3, resourceNames 4, nonResourceURLs 5, all repeated strings. */
    private static void policyRule(ProtobufReader in, ObjectNode rule) {
        rule.putArray("verbs");
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> Json.array(rule, "verbs").add(in.string());
                case 2 -> Json.array(rule, "apiGroups").add(in.string());
                case 3 -> Json.array(rule, "resources").add(in.string());
                case 4 -> Json.array(rule, "resourceNames").add(in.string());
                case 5 -> Json.array(rule, "nonResourceURLs").add(in.string());
                default -> in.skip();
            }
        }
    }

    /** LabelSelector: matchLabels 1, matchExpressions 2 (key 1, operator 2, values 3). */
    private static void labelSelector(ProtobufReader in, ObjectNode selector) {
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> {
                    String[] entry = mapEntry(reader(in));
                    Json.object(selector, "matchLabels").put(entry[0], entry[1]);
                }
                case 2 -> {
                    ProtobufReader requirement = reader(in);
                    ObjectNode expression = Json.array(selector, "matchExpressions").addObject();
                    while (requirement.more()) {
                        switch (requirement.tag()) {
                            case 1 -> expression.put("key", requirement.string());
                            case 2 -> expression.put("operator", requirement.string());
                            case 3 -> Json.array(expression, "values").add(requirement.string());
                            default -> requirement.skip();
                        }
                    }
                }
                default -> in.skip();
            }
        }
    }

    /** RoleBinding and ClusterRoleBinding: metadata 1, subjects 2, roleRef 3. */
    private static ObjectNode roleBinding(ProtobufReader in, String kind) {
        ObjectNode binding = Json.MAPPER.createObjectNode();
        binding.put("apiVersion", RBAC + "/v1").put("kind", kind);
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> metadata(reader(in), binding.putObject("metadata"));
                case 2 -> {
                    ProtobufReader subject = reader(in);
                    ObjectNode subjectNode = Json.array(binding, "subjects").addObject();
                    subjectNode.put("kind", "");
                    subjectNode.put("name", "");
                    while (subject.more()) {
                        switch (subject.tag()) {
                            case 1 -> subjectNode.put("kind", subject.string());
                            case 2 -> putUnlessEmpty(subjectNode, "apiGroup", subject.string());
                            case 3 -> subjectNode.put("name", subject.string());
                            case 4 -> putUnlessEmpty(subjectNode, "namespace", subject.string());
                            default -> subject.skip();
                        }
                    }
                }
                case 3 -> {
                    ProtobufReader roleRef = reader(in);
                    ObjectNode roleRefNode = binding.putObject("roleRef");
                    roleRefNode.put("apiGroup", "").put("kind", "").put("name", "");
                    while (roleRef.more()) {
                        switch (roleRef.tag()) {
                            case 1 -> roleRefNode.put("apiGroup", roleRef.string());
                            case 2 -> roleRefNode.put("kind", roleRef.string());
                            case 3 -> roleRefNode.put("name", roleRef.string());
                            default -> roleRef.skip();
                        }
                    }
                }
                default -> in.skip();
            }
        }
        return binding;
    }

    private static ObjectNode object(ProtobufReader in, String kind, boolean namespaceSpec) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        object.put("apiVersion", "v1").put("kind", kind);
        while (in.more()) {
            int field = in.tag();
            if (field == 1) {
                metadata(reader(in), object.putObject("metadata"));
            } else if (field == 2 && namespaceSpec) {
                ProtobufReader spec = reader(in);
                ObjectNode specNode = object.putObject("spec");
                while (spec.more()) {
                    if (spec.tag() == 1) {
                        Json.array(specNode, "finalizers").add(spec.string());
                    } else {
                        spec.skip();
                    }
                }
            } else {
                in.skip();
            }
        }
        return object;
    }

    private static ObjectNode tokenRequest(ProtobufReader in) {
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
        while (in.more()) {
            int field = in.tag();
            if (field == 1) {
                metadata(reader(in), request.putObject("metadata"));
            } else if (field == 2) {
                ProtobufReader spec = reader(in);
                ObjectNode specNode = request.putObject("spec");
                while (spec.more()) {
                    switch (spec.tag()) {
                        case 1 -> Json.array(specNode, "audiences").add(spec.string());
                        case 3 -> boundObjectRef(reader(spec), specNode.putObject("boundObjectRef"));
                        case 4 -> specNode.put("expirationSeconds", spec.varint());
                        default -> spec.skip();
                    }
                }
            } else {
                in.skip();
            }
        }
        return request;
    }

    private static ObjectNode service(ProtobufReader in) {
        ObjectNode service = Json.MAPPER.createObjectNode();
        service.put("apiVersion", "v1").put("kind", "Service");
        while (in.more()) {
            int field = in.tag();
            if (field == 1) {
                metadata(reader(in), service.putObject("metadata"));
            } else if (field == 2) {
                ProtobufReader spec = reader(in);
                ObjectNode specNode = service.putObject("spec");
                while (spec.more()) {
                    switch (spec.tag()) {
                        case 1 -> servicePort(reader(spec), Json.array(specNode, "ports").addObject());
                        case 2 -> {
                            String[] entry = mapEntry(reader(spec));
                            Json.object(specNode, "selector").put(entry[0], entry[1]);
                        }
                        case 3 -> putUnlessEmpty(specNode, "clusterIP", spec.string());
                        case 4 -> putUnlessEmpty(specNode, "type", spec.string());
                        case 10 -> putUnlessEmpty(specNode, "externalName", spec.string());
                        case 18 -> Json.array(specNode, "clusterIPs").add(spec.string());
                        default -> spec.skip();
                    }
                }
            } else {
                in.skip();
            }
        }
        return service;
    }

    /** ServicePort: name 1, protocol 2, port 3, targetPort 4 (IntOrString: type 1, intVal 2, strVal 3), nodePort 5. */
    private static void servicePort(ProtobufReader in, ObjectNode port) {
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> putUnlessEmpty(port, "name", in.string());
                case 2 -> putUnlessEmpty(port, "protocol", in.string());
                case 3 -> port.put("port", in.varint());
                case 4 -> {
                    ProtobufReader target = reader(in);
                    long type = 0;
                    long number = 0;
                    String text = "";
                    while (target.more()) {
                        switch (target.tag()) {
                            case 1 -> type = target.varint();
                            case 2 -> number = target.varint();
                            case 3 -> text = target.string();
                            default -> target.skip();
                        }
                    }
                    if (type == 1) {
                        port.put("targetPort", text);
                    } else {
                        port.put("targetPort", number);
                    }
                }
                case 5 -> {
                    long nodePort = in.varint();
                    if (nodePort != 0) {
                        port.put("nodePort", nodePort);
                    }
                }
                default -> in.skip();
            }
        }
    }

    /** Go writes every string field of a message; JSON leaves the empty ones out ({@code omitempty}). */
    private static void putUnlessEmpty(ObjectNode node, String field, String value) {
        if (!value.isEmpty()) {
            node.put(field, value);
        }
    }

    private static String[] mapEntry(ProtobufReader entry) {
        String[] keyValue = {"", ""};
        while (entry.more()) {
            switch (entry.tag()) {
                case 1 -> keyValue[0] = entry.string();
                case 2 -> keyValue[1] = entry.string();
                default -> entry.skip();
            }
        }
        return keyValue;
    }

    /** An entry of a {@code map<string, bytes>}: key 1, value 2. */
    private static byte[][] bytesMapEntry(ProtobufReader entry) {
        byte[][] keyValue = {new byte[0], new byte[0]};
        while (entry.more()) {
            switch (entry.tag()) {
                case 1 -> keyValue[0] = entry.bytes();
                case 2 -> keyValue[1] = entry.bytes();
                default -> entry.skip();
            }
        }
        return keyValue;
    }

    private static void boundObjectRef(ProtobufReader in, ObjectNode ref) {
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> ref.put("kind", in.string());
                case 2 -> ref.put("apiVersion", in.string());
                case 3 -> ref.put("name", in.string());
                case 4 -> ref.put("uid", in.string());
                default -> in.skip();
            }
        }
    }

    private static void metadata(ProtobufReader in, ObjectNode metadata) {
        while (in.more()) {
            int field = in.tag();
            switch (field) {
                case 1 -> putUnlessEmpty(metadata, "name", in.string());
                case 2 -> putUnlessEmpty(metadata, "generateName", in.string());
                case 3 -> putUnlessEmpty(metadata, "namespace", in.string());
                case 11, 12 -> {
                    String[] entry = mapEntry(reader(in));
                    Json.object(metadata, field == 11 ? "labels" : "annotations").put(entry[0], entry[1]);
                }
                default -> in.skip();
            }
        }
    }

    private static ProtobufReader reader(ProtobufReader in) {
        return new ProtobufReader(ByteBuffer.wrap(in.bytes()));
    }
}
