package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;

/**
 * kube-apiserver's authorization chain as kubeadm configures it: {@code system:masters} is allowed
 * everything (the privileged-group authorizer, before any mode), then {@code Node}, then
 * {@code RBAC}. The first to allow decides; otherwise the request is refused with the reasons the
 * authorizers gave. Also what SubjectAccessReviews and the admission plugins ask.
 */
final class Authorization {
    static final String SUPERUSER_GROUP = "system:masters";

    private final List<Authorizer> modes;

    Authorization(RbacObjects rbac, ObjectStore store) {
        this.modes = List.of(new NodeAuthorizer(store), new RbacAuthorizer(rbac));
    }

    Authorizer.Decision decide(RequestAttributes request) {
        if (request.groups().contains(SUPERUSER_GROUP)) {
            return Authorizer.Decision.allow("");
        }
        List<String> reasons = new ArrayList<>();
        for (Authorizer mode : modes) {
            Authorizer.Decision decision = mode.authorize(request);
            if (decision.allowed()) {
                return decision;
            }
            if (!decision.reason().isEmpty()) {
                reasons.add(decision.reason());
            }
        }
        return Authorizer.Decision.noOpinion(String.join("\n", reasons));
    }

    /** Refuses the request with the API server's 403 unless an authorizer allows it. */
    void check(RequestAttributes request) {
        Authorizer.Decision decision = decide(request);
        if (!decision.allowed()) {
            throw forbidden(request, decision.reason());
        }
    }

    /**
     * The API server's Forbidden status for an unauthorized request: {@code <resource>.<group> "<name>"
     * is forbidden: User "<user>" cannot <verb> resource "<resource[/subresource]>" in API group
     * "<group>" at the cluster scope} (or {@code in the namespace "<ns>"}), the authorizers' reason
     * after a colon; {@code forbidden: User "<user>" cannot <verb> path "<path>"} for other paths.
     */
    static ApiException forbidden(RequestAttributes request, String reason) {
        String message;
        if (!request.resourceRequest()) {
            message = "User " + quote(request.user()) + " cannot " + request.verb() + " path " + quote(request.path());
        } else {
            message = "User " + quote(request.user()) + " cannot " + request.verb() + " resource "
                    + quote(request.resourceWithSubresource()) + " in API group " + quote(request.apiGroup())
                    + (request.namespace().isEmpty() ? " at the cluster scope"
                            : " in the namespace " + quote(request.namespace()));
        }
        if (!reason.isEmpty()) {
            message += ": " + reason;
        }
        return forbidden(request.resourceRequest() ? request.resource() : "", request.apiGroup(), request.name(),
                message);
    }

    /** {@code apierrors.NewForbidden}: the qualified resource and name, then the cause. */
    static ApiException forbidden(String resource, String group, String name, String cause) {
        String qualified = group.isEmpty() ? resource : resource + "." + group;
        String message;
        if (qualified.isEmpty()) {
            message = "forbidden: " + cause;
        } else if (name == null || name.isEmpty()) {
            message = qualified + " is forbidden: " + cause;
        } else {
            message = qualified + " " + quote(name) + " is forbidden: " + cause;
        }
        return ApiException.forbidden(qualified, name, message);
    }

    /** Go's {@code %q} for the strings the API server quotes. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\x%02x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
