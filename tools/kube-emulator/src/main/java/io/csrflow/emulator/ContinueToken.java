package io.csrflow.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The continue token of a paged list, shaped like the API server's (base64 of
 * {@code {"v":"meta.k8s.io/v1","rv":N,"start":"KEY"}}): the revision the first page was read at
 * and the key after which the next page starts, and (the emulator's addition) how many objects the
 * pages so far went through, for {@code remainingItemCount} (-1 once it cannot be known). Clients
 * treat it as opaque.
 */
record ContinueToken(long resourceVersion, String startAfter, long examined) {
    private static final String VERSION = "meta.k8s.io/v1";

    static String encode(long resourceVersion, String startAfter, long examined) {
        ObjectNode token = Json.MAPPER.createObjectNode();
        token.put("v", VERSION);
        token.put("rv", resourceVersion);
        token.put("start", startAfter);
        token.put("n", examined);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Json.write(token).getBytes(StandardCharsets.UTF_8));
    }

    static ContinueToken decode(String token) {
        try {
            ObjectNode json = Json.parseObject(Base64.getUrlDecoder().decode(token));
            if (!VERSION.equals(Json.text(json, "v")) || !json.has("start") || !json.path("rv").canConvertToLong()) {
                throw new IllegalArgumentException();
            }
            return new ContinueToken(json.path("rv").asLong(), json.path("start").asText(),
                    json.path("n").asLong(-1));
        } catch (IllegalArgumentException | ApiException e) {
            throw new ApiException(400, "BadRequest", "continue key is not valid: incorrect encoded start "
                    + "resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
