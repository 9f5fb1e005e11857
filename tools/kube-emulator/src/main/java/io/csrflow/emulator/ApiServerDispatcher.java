package io.csrflow.emulator;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Routes each request the way the API server would handle it: authentication, authorization
 * ({@link Authorization}), discovery, SubjectAccessReviews, admission of writes ({@link Admission})
 * and the CSR rules of {@link CsrRules}; objects live in the emulator's
 * {@link ObjectStore}, served by {@link StorageRequests} (gets, lists, watches, generic writes).
 * Writes hold the store's write lock, so that a resourceVersion check and the write it guards are
 * one step.
 */
final class ApiServerDispatcher extends Dispatcher {
    private static final String CERTIFICATES = "certificates.k8s.io";
    private static final String CSRS = "certificatesigningrequests";
    private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";

    private final ObjectStore store;
    private final StorageRequests resources;
    private final Authenticator authenticator;
    private final ServiceAccountTokens serviceAccountTokens;
    private final Authorization authorization;
    private final Admission admission;
    private final AccessReviewer accessReviewer;
    private final CsrRules csrRules;
    private final RequestCounter counter;
    private final Supplier<String> serverAddress;
    private final Clock clock;

    ApiServerDispatcher(EmulatorConfig config, Clock clock, RequestCounter counter, Supplier<String> serverAddress) {
        this(config, clock, counter, serverAddress, ObjectStore.Settings.DEFAULTS);
    }

    ApiServerDispatcher(EmulatorConfig config, Clock clock, RequestCounter counter, Supplier<String> serverAddress,
            ObjectStore.Settings storeSettings) {
        this.store = new ObjectStore(clock, storeSettings);
        ServiceCidr serviceCidr = ServiceCidr.parse(config.serviceClusterIpRange());
        this.serviceAccountTokens = new ServiceAccountTokens(store, clock);
        this.authenticator = new Authenticator(config, serviceAccountTokens);
        DefaultServiceAccounts.start(store);
        ServiceRules.createKubernetesService(store, serviceCidr);
        StoredRbacObjects rbac = StoredRbacObjects.seeded(store, config.rbacObjects());
        this.authorization = new Authorization(rbac, store);
        // Strategies that ask the authorizer (PodCertificateRequest status: may the writer sign?) need it first.
        this.resources = new StorageRequests(store, KindRules.of(store, serviceCidr, authorization));
        this.admission = new Admission(authorization, rbac, store);
        this.accessReviewer = new AccessReviewer(authorization);
        this.csrRules = new CsrRules(clock);
        this.counter = counter;
        this.serverAddress = serverAddress;
        this.clock = clock;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    /** The stored objects, for components that read them (RBAC reads Roles and bindings). */
    ObjectStore store() {
        return store;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String rawPath = request.getPath();
        String method = request.getMethod();
        try {
            String plainPath = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
            switch (plainPath) {
                case "/healthz", "/livez", "/readyz":
                    return new MockResponse().setResponseCode(200).setBody("ok").setHeader("Content-Type", "text/plain");
                case "/emulator/requests":
                    return json(200, counter.toJson());
                default:
                    break;
            }
            ApiPath path = ApiPath.parse(rawPath);
            EmulatorConfig.User caller = authenticator.authenticate(request.getHeaders());
            // Counted once authenticated, by caller: a benchmark reports each component's calls.
            counter.count(path == null ? method.toLowerCase(java.util.Locale.ROOT) : path.verb(method),
                    path == null || path.resource() == null ? plainPath : path.resourceWithSubresource(),
                    caller.username());
            authorization.check(RequestAttributes.of(caller, method, plainPath, path));
            if ("GET".equals(method) && plainPath.startsWith("/openapi/")) {
                ObjectNode document = OpenApiDocuments.document(plainPath);
                if (document == null) {
                    throw new ApiException(404, "NotFound", "the server could not find the requested resource");
                }
                return json(200, document);
            }
            if (path == null || path.resource() == null) {
                ObjectNode document = "GET".equals(method) ? Discovery.document(plainPath, serverAddress.get()) : null;
                if (document == null) {
                    throw new ApiException(404, "NotFound", "the server could not find the requested resource");
                }
                return json(200, document);
            }
            if (!"GET".equals(method)) {
                List<String> warnings = fieldWarnings(request, path);
                // The store makes each write atomic; reads that a write depends on take its lock where they are made.
                MockResponse written = write(request, path, caller);
                warnings.forEach(w -> written.addHeader("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\""));
                return written;
            }
            return read(request, path);
        } catch (ApiException e) {
            return error(e, ApiPath.parse(rawPath));
        } catch (RuntimeException e) {
            return error(new ApiException(500, "InternalError", "emulator error: " + e), null);
        }
    }

    /**
     * GETs: an object, a list or a watch, from the store; as the API server's Tables
     * ({@link ServerTables}) when the client asks for them, as kubectl does for {@code get}.
     */
    private MockResponse read(RecordedRequest request, ApiPath path) {
        boolean asTable = path.subresource() == null && ServerTables.wanted(request.getHeader("Accept"));
        Function<JsonNode, ObjectNode> table = asTable ? object -> ServerTables.of(path.resource(), object, clock)
                : null;
        MockResponse response = resources.read(request, path, table);
        if (asTable && !path.isWatch() && response.code() == 200) {
            return json(200, table.apply(Json.parseObject(response.getBody().getBytes())));
        }
        return response;
    }

    /** Server-side field validation of a JSON body ({@link FieldValidation}): refuses, or the warnings to send. */
    private List<String> fieldWarnings(RecordedRequest request, ApiPath path) {
        if (!List.of("POST", "PUT").contains(request.getMethod()) || isProtobuf(request)
                || request.getBody() == null || request.getBody().size() == 0) {
            return List.of();
        }
        String groupVersion = path.group().isEmpty() ? path.version() : path.group() + "/" + path.version();
        String directive = null;
        for (String parameter : path.query().split("&")) {
            if (parameter.startsWith("fieldValidation=")) {
                directive = parameter.substring("fieldValidation=".length());
            }
        }
        String[] bodyKind = Discovery.bodyKind(groupVersion, path.resourceWithSubresource());
        if (bodyKind == null) {
            bodyKind = new String[] {groupVersion, Discovery.kind(groupVersion, path.resource())};
        }
        return FieldValidation.check(directive, jsonBody(request), bodyKind[0], bodyKind[1]);
    }

    private MockResponse write(RecordedRequest request, ApiPath path, EmulatorConfig.User caller) {
        String method = request.getMethod();
        admission.admit(method, path, caller, () -> objectBody(request, path), () -> stored(path));
        if (path.is("authorization.k8s.io", "subjectaccessreviews") && "POST".equals(method)) {
            return json(201, accessReviewer.review(accessReview(request)));
        }
        if (path.is("authorization.k8s.io", "selfsubjectaccessreviews") && "POST".equals(method)) {
            return json(201, accessReviewer.reviewSelf(accessReview(request), caller));
        }
        if (path.is("authentication.k8s.io", "tokenreviews") && "POST".equals(method)) {
            return json(201, tokenReview(jsonBody(request)));
        }
        if (path.is("authentication.k8s.io", "selfsubjectreviews") && "POST".equals(method)) {
            return json(201, selfSubjectReview(caller));
        }
        if (path.is(CERTIFICATES, CSRS)) {
            return writeCsr(request, path, caller);
        }
        if (path.is("", "serviceaccounts") && "token".equals(path.subresource())) {
            if (!"POST".equals(method)) {
                throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                        + "requested resource");
            }
            return json(201, serviceAccountTokens.request(path, objectBody(request, path)));
        }
        switch (method) {
            case "POST":
                ObjectNode created = objectBody(request, path);
                if (path.name() == null) {
                    ObjectNames.checkCreate(path, created);
                }
                return resources.create(path, created);
            case "PUT":
                return resources.update(path, objectBody(request, path), caller);
            case "PATCH":
                return resources.patch(request, path, caller, (patched, stored) -> admission.admitPatched(path,
                        caller, patched, stored));
            case "DELETE":
                return path.name() == null ? resources.deleteCollection(path) : resources.delete(request, path);
            default:
                throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                        + "requested resource");
        }
    }

    private MockResponse writeCsr(RecordedRequest request, ApiPath path, EmulatorConfig.User caller) {
        String method = request.getMethod();
        if ("POST".equals(method) && path.name() == null) {
            ObjectNode created = csrRules.create(jsonBody(request), caller);
            return resources.create(path, created);
        }
        if ("DELETE".equals(method)) {
            return path.name() == null ? resources.deleteCollection(path) : resources.delete(request, path);
        }
        if (path.name() == null || !List.of("PUT", "PATCH").contains(method)) {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the "
                    + "requested resource");
        }
        if ("PATCH".equals(method)) {
            return locked(() -> patchCsr(request, path, caller));
        }
        return locked(() -> {
            ObjectNode body = "approval".equals(path.subresource()) && isProtobuf(request)
                    ? ApprovalProtobuf.decode(request.getBody().getBytes())
                    : jsonBody(request);
            return updateCsr(path, stored(path), body);
        });
    }

    /**
     * PATCH on a CSR or its subresources ({@link Patches}): the patched object goes through the
     * same rules as a PUT of it. Server-side apply of a CSR that does not exist creates it, as a
     * create by the caller.
     */
    private MockResponse patchCsr(RecordedRequest request, ApiPath path, EmulatorConfig.User caller) {
        String contentType = request.getHeader("Content-Type");
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        Patches.Options options = Patches.Options.of(path.query());
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        StoredResource resource = StorageRequests.resource(path);
        if (store.get(resource, null, path.name()) == null && path.subresource() == null
                && Patches.APPLY.equals(Patches.base(contentType))) {
            ObjectNode applied = Patches.apply(contentType, null, body, options, now);
            Json.object(applied, "metadata").put("name", path.name());
            // A create by another verb: the admission of creates applies to it (the PATCH was admitted as an update).
            admission.admit("POST", path.collection(), caller, () -> applied, () -> null);
            return resources.create(path.collection(), csrRules.create(applied, caller));
        }
        ObjectNode stored = stored(path);
        ObjectNode patched = Patches.apply(contentType, stored, body, options, now);
        return updateCsr(path, stored, patched);
    }

    /** An update of a CSR, its {@code /approval} or {@code /status}: the rules, then the write, as one step. */
    private MockResponse updateCsr(ApiPath path, ObjectNode stored, ObjectNode body) {
        String bodyName = Json.text(body.path("metadata"), "name");
        if (bodyName != null && !bodyName.isEmpty() && !bodyName.equals(path.name())) {
            throw new ApiException(400, "BadRequest", "the name of the object (" + bodyName
                    + ") does not match the name on the URL (" + path.name() + ")");
        }
        ObjectMetaRules.checkUidPrecondition(path, body, stored);
        checkResourceVersion(body, stored, path);
        ObjectNode updated;
        if (path.subresource() == null) {
            updated = csrRules.update(stored, body);
        } else if (path.subresource().equals("approval")) {
            List<ObjectNode> conditions = new ArrayList<>();
            body.path("status").path("conditions").forEach(c -> {
                if (c instanceof ObjectNode o) {
                    conditions.add(o);
                }
            });
            updated = csrRules.approve(stored, conditions);
        } else if (path.subresource().equals("status")) {
            updated = csrRules.updateStatus(stored, body);
        } else {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        return resources.replace(path, updated);
    }

    /** A TokenReview: the user a bearer token authenticates as, as the API server's token authenticators answer. */
    private ObjectNode tokenReview(ObjectNode request) {
        String token = Json.text(request.path("spec"), "token");
        if (token == null || token.isEmpty()) {
            throw new ApiException(422, "Invalid", "TokenReview.authentication.k8s.io \"\" is invalid: spec.token: "
                    + "Required value");
        }
        ObjectNode review = request.deepCopy();
        review.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
        ObjectNode status = review.putObject("status");
        List<String> audiences = new ArrayList<>();
        request.path("spec").path("audiences").forEach(a -> audiences.add(a.asText()));
        var found = authenticator.byToken(token, audiences);
        if (found.isEmpty()) {
            status.put("authenticated", false);
            status.put("error", "invalid bearer token");
            return review;
        }
        status.put("authenticated", true);
        // Static tokens are audience-agnostic on the API server: valid for whatever audiences are asked;
        // a service account token answers with the asked audiences it was issued for.
        List<String> issuedFor = serviceAccountTokens.audiences(token);
        List<String> matched = audiences.isEmpty() ? issuedFor
                : issuedFor.isEmpty() ? audiences : audiences.stream().filter(issuedFor::contains).toList();
        matched.forEach(a -> status.withArray("audiences").add(a));
        status.set("user", userInfo(found.get()));
        return review;
    }

    /** What {@code kubectl auth whoami} shows: the caller as the authenticator saw it. */
    private static ObjectNode selfSubjectReview(EmulatorConfig.User caller) {
        ObjectNode review = Json.MAPPER.createObjectNode();
        review.put("apiVersion", "authentication.k8s.io/v1").put("kind", "SelfSubjectReview");
        review.putObject("metadata");
        review.putObject("status").set("userInfo", userInfo(caller));
        return review;
    }

    /** {@code authentication.k8s.io/v1 UserInfo} of an authenticated user. */
    private static ObjectNode userInfo(EmulatorConfig.User caller) {
        ObjectNode user = Json.MAPPER.createObjectNode();
        user.put("username", caller.username());
        if (!caller.uid().isEmpty()) {
            user.put("uid", caller.uid());
        }
        caller.groups().forEach(user.withArray("groups")::add);
        if (!caller.extra().isEmpty()) {
            ObjectNode extra = user.putObject("extra");
            new java.util.TreeMap<>(caller.extra()).forEach((key, values) -> values.forEach(extra.withArray(key)::add));
        }
        return user;
    }

    private ObjectNode stored(ApiPath path) {
        return store.getObject(StorageRequests.resource(path), path.namespace(), path.name());
    }

    private static void checkResourceVersion(ObjectNode body, ObjectNode stored, ApiPath path) {
        String requested = Json.text(body.path("metadata"), "resourceVersion");
        String current = Json.text(stored.path("metadata"), "resourceVersion");
        if (requested != null && !requested.isEmpty() && !requested.equals(current)) {
            throw ApiException.conflict(resourceName(path), path.name());
        }
        // The store checks again as it writes: the version read here must still be the stored one then.
        Json.object(body, "metadata").put("resourceVersion", current);
    }

    private static String resourceName(ApiPath path) {
        return path.group().isEmpty() ? path.resource() : path.resource() + "." + path.group();
    }

    /** The object a write sends: JSON, or the protobuf of the kinds kubectl's typed clients write ({@link TypedProtobuf}). */
    private static ObjectNode objectBody(RecordedRequest request, ApiPath path) {
        if (isProtobuf(request)) {
            ObjectNode decoded = TypedProtobuf.decode(path, request.getBody().getBytes());
            if (decoded != null) {
                return decoded;
            }
            // A resource the emulator does not serve is 404 whatever the body, as on the API server.
            StorageRequests.resource(path);
        }
        return jsonBody(request);
    }

    private static ObjectNode jsonBody(RecordedRequest request) {
        if (isProtobuf(request)) {
            throw new ApiException(415, "UnsupportedMediaType",
                    "the emulator reads protobuf only for " + TypedProtobuf.READ + "; send application/json");
        }
        return Json.parseObject(request.getBody().getBytes());
    }

    /** kubectl sends its access reviews ({@code auth can-i}) as protobuf. */
    private static ObjectNode accessReview(RecordedRequest request) {
        return isProtobuf(request) ? AccessReviewProtobuf.decode(request.getBody().getBytes()) : jsonBody(request);
    }

    private static boolean isProtobuf(RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        return contentType != null && contentType.startsWith(PROTOBUF);
    }

    private <T> T locked(Supplier<T> action) {
        return store.writeLocked(action);
    }

    private static MockResponse json(int code, JsonNode body) {
        return new MockResponse().setResponseCode(code).setBody(Json.write(body))
                .setHeader("Content-Type", "application/json");
    }

    private static MockResponse error(ApiException e, ApiPath path) {
        return json(e.code(), e.status(path));
    }
}
