package io.csrflow.emulator;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A resource the {@link ObjectStore} keeps, with the storage rules kube-apiserver's registry
 * strategy gives it: scope, whether {@code /status} is a subresource of its own (so that an update
 * of the object keeps the stored status), whether a PUT may create it, whether an update without a
 * resourceVersion is allowed, whether a delete answers with the object or a Status, and the field
 * selectors it supports beyond {@code metadata.name} and {@code metadata.namespace}.
 *
 * <p>{@code events.k8s.io/v1} Events are stored as core Events, as the API server stores them:
 * {@link #storage()} names the resource whose objects they are ({@code viewOf}), {@link #toStored} and
 * {@link #fromStored} convert between the two.
 */
record StoredResource(String group, String version, String resource, String kind, boolean namespaced,
        boolean statusSubresource, boolean createOnUpdate, boolean unconditionalUpdate, boolean returnsDeletedObject,
        List<String> fields, Map<String, String> fieldAliases, StoredResource viewOf) {

    /** A resource served at version v1 of its group, as most are. */
    StoredResource(String group, String resource, String kind, boolean namespaced, boolean statusSubresource,
            boolean createOnUpdate, boolean unconditionalUpdate, boolean returnsDeletedObject, List<String> fields,
            Map<String, String> fieldAliases, StoredResource viewOf) {
        this(group, "v1", resource, kind, namespaced, statusSubresource, createOnUpdate, unconditionalUpdate,
                returnsDeletedObject, fields, fieldAliases, viewOf);
    }

    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final List<String> CORE_EVENT_FIELDS = List.of("involvedObject.kind",
            "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
            "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source",
            "type");
    private static final StoredResource CORE_EVENTS = new StoredResource("", "events", "Event", true, false, true,
            true, false, CORE_EVENT_FIELDS, Map.of(), null);

    /** Every stored resource, by {@code group/resource} (the core group is empty). */
    private static final Map<String, StoredResource> ALL = Stream.of(
            new StoredResource("certificates.k8s.io", "certificatesigningrequests", "CertificateSigningRequest",
                    false, true, false, true, false, List.of("spec.signerName"), Map.of(), null),
            new StoredResource("", "nodes", "Node", false, true, false, true, false, List.of("spec.unschedulable"),
                    Map.of(), null),
            new StoredResource("", "namespaces", "Namespace", false, true, false, true, true,
                    List.of("status.phase"), Map.of(), null),
            new StoredResource("", "configmaps", "ConfigMap", true, false, false, true, false, List.of(), Map.of(),
                    null),
            new StoredResource("", "secrets", "Secret", true, false, false, true, false, List.of("type"), Map.of(),
                    null),
            CORE_EVENTS,
            new StoredResource("events.k8s.io", "events", "Event", true, false, true, true, false,
                    CORE_EVENT_FIELDS, eventsV1FieldAliases(), CORE_EVENTS),
            new StoredResource("coordination.k8s.io", "leases", "Lease", true, false, true, false, false, List.of(),
                    Map.of(), null),
            new StoredResource(RBAC, "roles", "Role", true, false, true, true, false, List.of(), Map.of(), null),
            new StoredResource(RBAC, "rolebindings", "RoleBinding", true, false, true, true, false, List.of(),
                    Map.of(), null),
            new StoredResource(RBAC, "clusterroles", "ClusterRole", false, false, true, true, false, List.of(),
                    Map.of(), null),
            new StoredResource(RBAC, "clusterrolebindings", "ClusterRoleBinding", false, false, true, true, false,
                    List.of(), Map.of(), null),
            new StoredResource("", "serviceaccounts", "ServiceAccount", true, false, false, true, false, List.of(),
                    Map.of(), null),
            new StoredResource("", "pods", "Pod", true, true, false, true, false, List.of("spec.nodeName",
                    "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
                    "status.phase", "status.podIP", "status.nominatedNodeName"), Map.of(), null),
            new StoredResource("", "services", "Service", true, true, false, true, false, List.of("spec.clusterIP",
                    "spec.type"), Map.of(), null),
            new StoredResource("discovery.k8s.io", "endpointslices", "EndpointSlice", true, false, false, true,
                    false, List.of(), Map.of(), null),
            new StoredResource("certificates.k8s.io", "v1beta1", "clustertrustbundles", "ClusterTrustBundle", false,
                    false, false, true, false, List.of("spec.signerName"), Map.of(), null),
            new StoredResource("certificates.k8s.io", "v1beta1", "podcertificaterequests", "PodCertificateRequest",
                    true, true, false, false, false, List.of("spec.signerName", "spec.podName", "spec.nodeName"),
                    Map.of(), null))
            .collect(Collectors.toUnmodifiableMap(r -> r.group() + "/" + r.resource(), Function.identity()));

    /**
     * Namespaced kinds whose field label conversion ({@code AddFieldLabelConversionFunc}) lists its
     * labels without {@code metadata.namespace}, so that selecting on it is "field label not supported".
     */
    private static final java.util.Set<StoredResource> WITHOUT_NAMESPACE_LABEL = java.util.Set.of(
            ALL.get("certificates.k8s.io/podcertificaterequests"));

    /** The stored resource a request path names, or null when the emulator keeps no such objects. */
    static StoredResource of(String group, String version, String resourceName) {
        StoredResource resource = ALL.get(group + "/" + resourceName);
        return resource != null && resource.version.equals(version) ? resource : null;
    }

    static StoredResource of(String group, String resource) {
        return ALL.get(group + "/" + resource);
    }

    /** All resources whose objects are stored under their own name (not views of another). */
    static List<StoredResource> storedKinds() {
        return ALL.values().stream().filter(r -> r.viewOf == null).toList();
    }

    /** The resource whose objects these are: itself, or the core resource a view converts from. */
    StoredResource storage() {
        return viewOf == null ? this : viewOf;
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code resource.group}, as the API server names the resource in error messages. */
    String qualifiedName() {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    /** {@code Kind.group}, as Invalid errors name the kind. */
    String qualifiedKind() {
        return group.isEmpty() ? kind : kind + "." + group;
    }

    /** The field selector label as stored, or null when this resource does not support it. */
    String storedField(String label) {
        if (label.equals("metadata.name")
                || namespaced && label.equals("metadata.namespace") && !WITHOUT_NAMESPACE_LABEL.contains(this)) {
            return label;
        }
        String stored = fieldAliases.getOrDefault(label, viewOf == null ? label : null);
        return stored != null && storage().fields.contains(stored) ? stored : null;
    }

    /** The object as it is stored (core Event for an events.k8s.io Event); {@code object} is not changed. */
    ObjectNode toStored(ObjectNode object) {
        return viewOf == null ? object : EventConversion.toCore(object);
    }

    /** The stored object as this resource shows it. */
    ObjectNode fromStored(ObjectNode stored) {
        return viewOf == null ? stored : EventConversion.toEventsV1(stored);
    }

    private static Map<String, String> eventsV1FieldAliases() {
        return Map.of("regarding.kind", "involvedObject.kind", "regarding.namespace", "involvedObject.namespace",
                "regarding.name", "involvedObject.name", "regarding.uid", "involvedObject.uid",
                "regarding.apiVersion", "involvedObject.apiVersion", "regarding.resourceVersion",
                "involvedObject.resourceVersion", "regarding.fieldPath", "involvedObject.fieldPath",
                "reportingController", "reportingComponent", "reason", "reason", "type", "type");
    }
}
