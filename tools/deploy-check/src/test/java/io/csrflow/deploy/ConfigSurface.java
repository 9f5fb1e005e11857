package io.csrflow.deploy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The environment variables a service reads, derived from its {@code @ConfigMapping} interface the
 * way SmallRye Config maps names: {@code csrflow.signer.ca.cert-file} is
 * {@code CSRFLOW_SIGNER_CA_CERT_FILE}; a map's key is any segment.
 */
final class ConfigSurface {
    static final Map<String, String> MAPPINGS = Map.of(
            "csr-watcher", "io.csrflow.watcher.WatcherConfig",
            "approver-service", "io.csrflow.approver.ApproverConfig",
            "signer-service", "io.csrflow.signer.SignerConfig",
            "rotation-scheduler", "io.csrflow.scheduler.SchedulerConfig");

    private final List<Pattern> patterns = new ArrayList<>();

    private ConfigSurface() {
    }

    static ConfigSurface of(String service) {
        ConfigSurface surface = new ConfigSurface();
        try {
            surface.walk(Class.forName(MAPPINGS.get(service)), "CSRFLOW");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no configuration mapping for " + service, e);
        }
        return surface;
    }

    /** True if the service reads this variable. */
    boolean reads(String environmentVariable) {
        return patterns.stream().anyMatch(p -> p.matcher(environmentVariable).matches());
    }

    List<String> patterns() {
        return patterns.stream().map(Pattern::pattern).toList();
    }

    private void walk(Class<?> mapping, String prefix) {
        for (Method method : mapping.getMethods()) {
            if (method.getParameterCount() > 0 || Modifier.isStatic(method.getModifiers()) || method.isDefault()) {
                continue;
            }
            String name = prefix + "_" + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
            add(method.getGenericReturnType(), name);
        }
    }

    private void add(Type type, String name) {
        if (type instanceof ParameterizedType parameterized) {
            Type raw = parameterized.getRawType();
            if (raw == Optional.class) {
                add(parameterized.getActualTypeArguments()[0], name);
                return;
            }
            if (raw == Map.class) {
                add(parameterized.getActualTypeArguments()[1], name + "_[A-Z0-9_]+");
                return;
            }
        }
        if (type instanceof Class<?> leaf && leaf.isInterface() && leaf.getName().startsWith("io.csrflow.")) {
            walk(leaf, name);
            return;
        }
        patterns.add(Pattern.compile(name));
    }
}
