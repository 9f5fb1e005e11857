package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.mockwebserver.http.Headers;

/**
 * Who is calling, as the API server's authenticators decide it: a verified client certificate
 * (see {@link ClientCertIdentity}) first, else a bearer token.
 */
final class Authenticator {
    private final Map<String, EmulatorConfig.User> byToken = new ConcurrentHashMap<>();

    Authenticator(EmulatorConfig config) {
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

    /** The user of a bearer token, as a TokenReview answers it. */
    java.util.Optional<EmulatorConfig.User> byToken(String token) {
        return java.util.Optional.ofNullable(byToken.get(token));
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
        EmulatorConfig.User user = byToken.get(authorizationHeader.substring(7).trim());
        if (user == null) {
            throw new ApiException(401, "Unauthorized", "Unauthorized");
        }
        return user;
    }
}
