package io.csrflow.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Routes each request the way the API server would handle it: authentication, discovery,
 * SubjectAccessReviews, and the CSR rules of {@link CsrRules}; everything else goes to fabric8's
 * CRUD store, which also serves watches. Writes are serialised so that a resourceVersion check and
 * the write it guards are one step.
 */
final class ApiServerDispatcher extends Dispatcher {
    private static final String CERTIFICATES = "certificates.k8s.io";
    private static final String CSRS = "certificatesigningrequests";
    private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";

    private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    private final ReentrantLock writes = new ReentrantLock();
    private final Authenticator authenticator;
    private final AccessReviewer accessReviewer;
    private final CsrRules csrRules;
    private final RequestCounter counter;
    private final Supplier<String> serverAddress;
    private final Clock clock;

    ApiServerDispatcher(EmulatorConfig config, Clock clock, RequestCounter counter, Supplier<String> serverAddress) {
        this.authenticator = new Authenticator(config);
        this.accessReviewer = new AccessReviewer(config.rules());
        this.csrRules = new CsrRules(clock);
        this.counter = counter;
        this.serverAddress = serverAddress;
        this.clock = clock;
    }

    Authenticator authenticator() {
        return authenticator;
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
            if (path == null || path.resource() == null) {
                ObjectNode document = "GET".equals(method) ? Discovery.document(plainPath, serverAddress.get()) : null;
                if (document == null) {
                    throw new ApiException(404, "NotFound", "the server could not find the requested resource");
                }
                return json(200, document);
            }
            if (!"GET".equals(method)) {
                return locked(() -> write(request, path, caller));
            }
            MockResponse response = list(request, path);
            if (path.is(CERTIFICATES, CSRS) && path.subresource() == null && !path.isWatch() && response.code() == 200
                    && CsrTable.wanted(request.getHeader("Accept"))) {
                return json(200, CsrTable.of(Json.parseObject(response.getBody().getBytes()), clock));
            }
            return response;
        } catch (ApiException e) {
            return error(e, ApiPath.parse(rawPath));
        } catch (RuntimeException e) {
            return error(new ApiException(500, "InternalError", "emulator error: " + e), null);
        }
    }

    /**
     * GETs go to the store. Lists get their field selector applied here and are named as the API
     * server names them ({@code EventList}, not {@code List}), which typed clients need.
     */
    private MockResponse list(RecordedRequest request, ApiPath path) {
        if (path.name() != null || path.isWatch()) {
            return withContentType(store.dispatch(request));
        }
        FieldSelector selector = FieldSelector.fromQuery(path.query());
        String query = FieldSelector.withoutSelector(path.query());
        MockResponse response = withContentType(store.handleGet(path.objectPath() + (query.isEmpty() ? "" : "?" + query)));
        if (response.code() != 200) {
            return response;
        }
        ObjectNode list = Json.parseObject(response.getBody().getBytes());
        String groupVersion = path.group().isEmpty() ? path.version() : path.group() + "/" + path.version();
        String kind = Discovery.kind(groupVersion, path.resource());
        if (kind != null) {
            list.put("kind", kind + "List");
            list.put("apiVersion", groupVersion);
        }
        return json(200, selector == null ? list : selector.filter(list));
    }

    private MockResponse write(RecordedRequest request, ApiPath path, EmulatorConfig.User caller) {
        String method = request.getMethod();
        if (path.is("authorization.k8s.io", "subjectaccessreviews") && "POST".equals(method)) {
            return json(201, accessReviewer.review(jsonBody(request)));
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
        if ("PUT".equals(method) && path.name() != null) {
            ObjectNode body = jsonBody(request);
            checkResourceVersion(body, stored(path), path);
        }
        if ("POST".equals(method) && path.name() == null) {
            ObjectNames.checkCreate(path, jsonBody(request));
        }
        return withContentType(store.dispatch(request));
    }

    private MockResponse writeCsr(RecordedRequest request, ApiPath path, EmulatorConfig.User caller) {
        String method = request.getMethod();
        if ("POST".equals(method) && path.name() == null) {
            ObjectNode created = csrRules.create(jsonBody(request), caller);
            return withContentType(store.handleCreate(internal(HttpMethod.POST, path.objectPath(), created)));
        }
        if ("DELETE".equals(method)) {
            return withContentType(store.dispatch(request));
        }
        if (!"PUT".equals(method) || path.name() == null) {
            throw new ApiException(405, "MethodNotAllowed", "the emulator serves " + method + " on "
                    + path.resourceWithSubresource() + " only as PUT (use update, /approval or /status)");
        }
        ObjectNode stored = stored(path);
        ObjectNode body = "approval".equals(path.subresource()) && isProtobuf(request)
                ? ApprovalProtobuf.decode(request.getBody().getBytes())
                : jsonBody(request);
        String bodyName = Json.text(body.path("metadata"), "name");
        if (bodyName != null && !bodyName.isEmpty() && !bodyName.equals(path.name())) {
            throw new ApiException(400, "BadRequest", "the name of the object (" + bodyName
                    + ") does not match the name on the URL (" + path.name() + ")");
        }
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
        return withContentType(store.handleUpdate(internal(HttpMethod.PUT, path.objectPath(), updated)));
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
        var found = authenticator.byToken(token);
        if (found.isEmpty()) {
            status.put("authenticated", false);
            status.put("error", "invalid bearer token");
            return review;
        }
        status.put("authenticated", true);
        // Static tokens are audience-agnostic on the API server: valid for whatever audiences are asked.
        request.path("spec").path("audiences").forEach(a -> status.withArray("audiences").add(a.asText()));
        ObjectNode user = status.putObject("user");
        user.put("username", found.get().username());
        if (!found.get().uid().isEmpty()) {
            user.put("uid", found.get().uid());
        }
        found.get().groups().forEach(user.withArray("groups")::add);
        return review;
    }

    /** What {@code kubectl auth whoami} shows: the caller as the authenticator saw it. */
    private static ObjectNode selfSubjectReview(EmulatorConfig.User caller) {
        ObjectNode review = Json.MAPPER.createObjectNode();
        review.put("apiVersion", "authentication.k8s.io/v1").put("kind", "SelfSubjectReview");
        review.putObject("metadata");
        ObjectNode user = review.putObject("status").putObject("userInfo");
        user.put("username", caller.username());
        if (!caller.uid().isEmpty()) {
            user.put("uid", caller.uid());
        }
        caller.groups().forEach(user.withArray("groups")::add);
        return review;
    }

    private ObjectNode stored(ApiPath path) {
        MockResponse response = store.handleGet(path.objectPath());
        if (response.code() == 404) {
            throw ApiException.notFound(resourceName(path), path.name());
        }
        return Json.parseObject(response.getBody().getBytes());
    }

    private static void checkResourceVersion(ObjectNode body, ObjectNode stored, ApiPath path) {
        String requested = Json.text(body.path("metadata"), "resourceVersion");
        String current = Json.text(stored.path("metadata"), "resourceVersion");
        if (requested != null && !requested.isEmpty() && !requested.equals(current)) {
            throw ApiException.conflict(resourceName(path), path.name());
        }
        // The store's own check needs the stored version in the body when the client sent none.
        Json.object(body, "metadata").put("resourceVersion", current);
    }

    private static String resourceName(ApiPath path) {
        return path.group().isEmpty() ? path.resource() : path.resource() + "." + path.group();
    }

    private static ObjectNode jsonBody(RecordedRequest request) {
        if (isProtobuf(request)) {
            throw new ApiException(415, "UnsupportedMediaType",
                    "the emulator reads protobuf only for /approval; send application/json");
        }
        return Json.parseObject(request.getBody().getBytes());
    }

    private static boolean isProtobuf(RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        return contentType != null && contentType.startsWith(PROTOBUF);
    }

    private static RecordedRequest internal(HttpMethod method, String path, JsonNode body) {
        Headers headers = Headers.builder().add("Content-Type", "application/json").build();
        return new RecordedRequest("HTTP/1.1", method, path, headers,
                new Buffer(Json.write(body).getBytes(StandardCharsets.UTF_8)));
    }

    private <T> T locked(Supplier<T> action) {
        writes.lock();
        try {
            return action.get();
        } finally {
            writes.unlock();
        }
    }

    private static MockResponse json(int code, JsonNode body) {
        return new MockResponse().setResponseCode(code).setBody(Json.write(body))
                .setHeader("Content-Type", "application/json");
    }

    /** The CRUD store answers errors with an empty body and nothing says it is JSON; clients need both. */
    private static MockResponse withContentType(MockResponse response) {
        if (response.getWebSocketListener() != null) {
            return response;
        }
        if (response.code() >= 400 && (response.getBody() == null || response.getBody().size() == 0)) {
            return json(response.code(), Json.status(response.code(), reasonFor(response.code()),
                    reasonFor(response.code()), null));
        }
        if (response.header("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }

    private static String reasonFor(int code) {
        return switch (code) {
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 422 -> "Invalid";
            default -> "BadRequest";
        };
    }

    private static MockResponse error(ApiException e, ApiPath path) {
        ObjectNode details = null;
        if (path != null && path.resource() != null) {
            details = Json.MAPPER.createObjectNode();
            if (path.name() != null) {
                details.put("name", path.name());
            }
            details.put("group", path.group());
            details.put("kind", path.resource());
            if (!e.causes().isEmpty()) {
                var causes = details.putArray("causes");
                e.causes().forEach(c -> causes.addObject().put("message", c));
            }
        }
        return json(e.code(), Json.status(e.code(), e.reason(), e.getMessage(), details));
    }
}
