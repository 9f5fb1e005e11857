package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.mockwebserver.http.Headers;

/**
 * Who is calling, as the API server's authenticators decide it: a verified client certificate
 * (see {@link ClientCertIdentity}) first, else a bearer token: a static one of the config, or a
 * service account token ({@link ServiceAccountTokens}).
 */
final class Authenticator {
    private final Map<String, EmulatorConfig.User> byToken = new ConcurrentHashMap<>();
    private final ServiceAccountTokens serviceAccountTokens;

    Authenticator(EmulatorConfig config, ServiceAccountTokens serviceAccountTokens) {
        this.serviceAccountTokens = serviceAccountTokens;
        config.users().forEach(this::add);
    }

    void add(EmulatorConfig.User user) {
        List<String> groups = new ArrayList<>(user.groups());
        if (!groups.contains("system:authenticated")) {
            groups.add("system:authenticated");
        }
        byToken.put(user.token(), new EmulatorConfig.User(user.token(), user.username(), user.uid(), groups,
                user.extra()));
    }

    /**
     * The user of a bearer token, as a TokenReview answers it: static tokens are valid for any
     * audience, service account tokens for those they were issued for ({@code audiences} empty: the
     * API server's own).
     */
    java.util.Optional<EmulatorConfig.User> byToken(String token, List<String> audiences) {
        EmulatorConfig.User user = byToken.get(token);
        return user != null ? java.util.Optional.of(user) : serviceAccountTokens.authenticate(token, audiences);
    }

    EmulatorConfig.User authenticate(Headers headers) {
        String certUser = headers.header(ClientCertIdentity.USER_HEADER);
        if (certUser != null) {
            List<String> groups = new ArrayList<>(headers.headers(ClientCertIdentity.GROUP_HEADER));
            groups.add("system:authenticated");
            String uid = headers.header(ClientCertIdentity.UID_HEADER);
            return new EmulatorConfig.User("x509:" + certUser, certUser, uid == null ? "" : uid, groups, null);
        }
        String authorizationHeader = headers.header("Authorization");
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "Unauthorized", "Unauthorized");
        }
        return byToken(authorizationHeader.substring(7).trim(), List.of())
                .orElseThrow(() -> new ApiException(401, "Unauthorized", "Unauthorized"));
    }
}
