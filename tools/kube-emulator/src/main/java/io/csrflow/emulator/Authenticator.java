package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Bearer token → user, as the API server's token authenticator does it. */
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

    EmulatorConfig.User authenticate(String authorizationHeader) {
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
