package io.csrflow.watcher.kube;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Deletes a CSR only if it still is the object that was judged: the request carries preconditions
 * on its uid and resourceVersion, so the API refuses (409) to delete a CSR that changed since, or
 * another CSR created under the same name. fabric8's typed delete can lock the resourceVersion but
 * not the uid, so the request is made by hand. Errors are read by status code.
 */
final class CsrDeletes {
    private static final String CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests/";

    /** What a delete came to. */
    enum Outcome {
        DELETED,
        /** 409: the CSR changed, or is another CSR of the same name, since it was judged. */
        CHANGED,
        /** 404: someone else deleted it first. */
        GONE,
        /** Refused for this CSR alone (400, 405, 410, 422). */
        REFUSED,
        /** 403: the watcher may not delete CSRs at all. */
        FORBIDDEN,
        /** The API did not answer, or failed (5xx, 429, 401, a broken connection). */
        UNAVAILABLE
    }

    /** An outcome and, unless deleted, what the API said. */
    record Result(Outcome outcome, String detail) {
    }

    private final KubernetesClient client;

    CsrDeletes(KubernetesClient client) {
        this.client = client;
    }

    Result deleteIfUnchanged(String name, String uid, String resourceVersion) {
        DeleteOptions options = new DeleteOptionsBuilder().withApiVersion("v1").withKind("DeleteOptions")
                .withNewPreconditions().withUid(uid).withResourceVersion(resourceVersion).endPreconditions().build();
        try {
            client.raw(CSRS + pathSegment(name), "DELETE", options);
            return new Result(Outcome.DELETED, null);
        } catch (KubernetesClientException e) {
            Outcome outcome = switch (e.getCode()) {
                case 409 -> Outcome.CHANGED;
                case 404 -> Outcome.GONE;
                case 400, 405, 410, 422 -> Outcome.REFUSED;
                case 403 -> Outcome.FORBIDDEN;
                default -> Outcome.UNAVAILABLE;
            };
            return new Result(outcome, e.getMessage());
        }
    }

    /**
     * {@code name} as one URL path segment (RFC 3986 pchar): a CSR name is any string without
     * {@code /} or {@code %}, so anything else that a path segment may not hold is percent-encoded.
     */
    static String pathSegment(String name) {
        StringBuilder segment = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
                segment.append(c);
            } else {
                segment.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return segment.toString();
    }
}
