package io.csrflow.emulator;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The TokenRequest subresource ({@code POST /api/v1/namespaces/NS/serviceaccounts/SA/token}) and the
 * authenticator of the tokens it issues, as kube-apiserver's service account token issuer and
 * authenticator behave: a token authenticates as {@code system:serviceaccount:NS:SA} (uid the
 * ServiceAccount's) in {@code system:serviceaccounts}, {@code system:serviceaccounts:NS} and
 * {@code system:authenticated} until it expires, its ServiceAccount is deleted (or re-created with
 * another uid), or the object it is bound to is. A token bound to a Pod carries the Pod's name and
 * uid (and its node's name) as user extra, under the API server's keys.
 *
 * <p>Real tokens are signed JWTs; these are opaque random strings, which is all a client may assume.
 */
final class ServiceAccountTokens {
    static final String POD_NAME = "authentication.kubernetes.io/pod-name";
    static final String POD_UID = "authentication.kubernetes.io/pod-uid";
    static final String NODE_NAME = "authentication.kubernetes.io/node-name";
    static final String NODE_UID = "authentication.kubernetes.io/node-uid";
    static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
    /** The API server's own audience (its issuer, {@code --api-audiences} unset): tokens must carry it to call it. */
    static final String API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";
    private static final long DEFAULT_SECONDS = 3600;
    private static final long MIN_SECONDS = 600;
    private static final long MAX_SECONDS = 1L << 32;
    private static final String KIND = "TokenRequest.authentication.k8s.io";

    /** What a token stands for. {@code bound} is the resource and object it lives and dies with, if any. */
    private record Issued(String namespace, String serviceAccount, String serviceAccountUid, List<String> audiences,
            Instant expires, StoredResource boundResource, String boundNamespace, String boundName, String boundUid,
            Map<String, List<String>> extra) {
    }

    private final ObjectStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();

    ServiceAccountTokens(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A TokenRequest for the ServiceAccount of {@code path}: the request as the API server answers it (201). */
    ObjectNode request(ApiPath path, ObjectNode body) {
        JsonNode spec = body.path("spec");
        long seconds = spec.hasNonNull("expirationSeconds") ? spec.path("expirationSeconds").asLong()
                : DEFAULT_SECONDS;
        if (seconds < MIN_SECONDS) {
            throw ApiException.invalidFields(KIND, "", List.of(FieldError.invalid("spec.expirationSeconds",
                    String.valueOf(seconds), "may not specify a duration less than 10 minutes")));
        }
        if (seconds > MAX_SECONDS) {
            throw ApiException.invalidFields(KIND, "", List.of(FieldError.invalid("spec.expirationSeconds",
                    String.valueOf(seconds), "may not specify a duration larger than 2^32 seconds")));
        }
        String namespace = path.namespace();
        ObjectNode account = store.getObject(StoredResource.of("", "serviceaccounts"), namespace, path.name());
        Map<String, List<String>> extra = new LinkedHashMap<>();
        JsonNode ref = spec.path("boundObjectRef");
        StoredResource boundResource = null;
        String boundName = null;
        String boundUid = null;
        if (ref.isObject()) {
            String kind = ref.path("kind").asText("");
            String apiVersion = ref.path("apiVersion").asText("");
            boundName = ref.path("name").asText("");
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            boundResource = !group.isEmpty() ? null : switch (kind) {
                case "Pod" -> StoredResource.of("", "pods");
                case "Secret" -> StoredResource.of("", "secrets");
                case "Node" -> StoredResource.of("", "nodes");
                default -> null;
            };
            if (boundResource == null) {
                String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
                throw ApiException.badRequest("cannot bind token to object of type " + group + "/" + version
                        + ", Kind=" + kind);
            }
            ObjectNode bound = store.getObject(boundResource, namespace, boundName);
            boundUid = bound.path("metadata").path("uid").asText();
            switch (kind) {
                case "Pod" -> {
                    if (!path.name().equals(bound.path("spec").path("serviceAccountName").asText(""))) {
                        throw ApiException.badRequest("cannot bind token for serviceaccount " + FieldError.quote(
                                path.name()) + " to pod running with different serviceaccount name.");
                    }
                    extra.put(POD_NAME, List.of(boundName));
                    extra.put(POD_UID, List.of(boundUid));
                    String nodeName = bound.path("spec").path("nodeName").asText("");
                    if (!nodeName.isEmpty()) {
                        extra.put(NODE_NAME, List.of(nodeName));
                        ObjectStore.Stored node = store.get(StoredResource.of("", "nodes"), null, nodeName);
                        if (node != null) {
                            extra.put(NODE_UID, List.of(node.uid));
                        }
                    }
                }
                case "Node" -> {
                    extra.put(NODE_NAME, List.of(boundName));
                    extra.put(NODE_UID, List.of(boundUid));
                }
                default -> {
                    // A Secret-bound token carries nothing of the Secret.
                }
            }
            String refUid = ref.path("uid").asText("");
            if (!refUid.isEmpty() && !refUid.equals(boundUid)) {
                throw ApiException.conflict(kind, boundName, "the UID in the bound object reference (" + refUid
                        + ") does not match the UID in record. The object might have been deleted and then "
                        + "recreated");
            }
        }
        String jti = UUID.randomUUID().toString();
        extra.put(CREDENTIAL_ID, List.of("JTI=" + jti));
        List<String> audiences = new ArrayList<>();
        spec.path("audiences").forEach(a -> audiences.add(a.asText()));
        if (audiences.isEmpty()) {
            audiences.add(API_AUDIENCE);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = now.plusSeconds(seconds);
        String token = token();
        if (issued.size() % 1024 == 1023) {
            purgeExpired(now);
        }
        issued.put(token, new Issued(namespace, path.name(), account.path("metadata").path("uid").asText(),
                List.copyOf(audiences), expires, boundResource, boundResource != null && boundResource.namespaced()
                ? namespace : null, boundName, boundUid, Map.copyOf(extra)));

        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("kind", "TokenRequest").put("apiVersion", "authentication.k8s.io/v1");
        answer.putObject("metadata").put("name", path.name()).put("namespace", namespace)
                .put("creationTimestamp", now.toString());
        ObjectNode answerSpec = answer.putObject("spec");
        audiences.forEach(answerSpec.putArray("audiences")::add);
        answerSpec.put("expirationSeconds", seconds);
        if (ref.isObject()) {
            answerSpec.set("boundObjectRef", ref.deepCopy());
        }
        answer.putObject("status").put("token", token).put("expirationTimestamp", expires.toString());
        return answer;
    }

    /**
     * The user of a token this issued, if it is still valid for {@code audiences} (empty: the API
     * server's own audience).
     */
    Optional<EmulatorConfig.User> authenticate(String token, List<String> audiences) {
        Issued found = issued.get(token);
        if (found == null || !clock.instant().isBefore(found.expires())) {
            return Optional.empty();
        }
        List<String> wanted = audiences.isEmpty() ? List.of(API_AUDIENCE) : audiences;
        if (found.audiences().stream().noneMatch(wanted::contains)) {
            return Optional.empty();
        }
        ObjectStore.Stored account = store.get(StoredResource.of("", "serviceaccounts"), found.namespace(),
                found.serviceAccount());
        if (account == null || !account.uid.equals(found.serviceAccountUid())) {
            return Optional.empty();
        }
        if (found.boundResource() != null) {
            ObjectStore.Stored bound = store.get(found.boundResource(), found.boundNamespace(), found.boundName());
            if (bound == null || !bound.uid.equals(found.boundUid())) {
                return Optional.empty();
            }
        }
        String ns = found.namespace();
        return Optional.of(new EmulatorConfig.User(token, "system:serviceaccount:" + ns + ":" + found.serviceAccount(),
                found.serviceAccountUid(), List.of("system:serviceaccounts", "system:serviceaccounts:" + ns,
                        "system:authenticated"), found.extra()));
    }

    /** The audiences a still-known token was issued for (TokenReview echoes those it matched). */
    List<String> audiences(String token) {
        Issued found = issued.get(token);
        return found == null ? List.of() : found.audiences();
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private void purgeExpired(Instant now) {
        issued.values().removeIf(i -> !now.isBefore(i.expires()));
    }
}
