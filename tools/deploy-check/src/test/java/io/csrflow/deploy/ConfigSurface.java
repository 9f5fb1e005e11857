package io.csrflow.deploy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.smallrye.config.WithDefault;

/**
 * What a service reads, derived from its {@code @ConfigMapping} interface the way SmallRye Config
 * maps names: the property {@code csrflow.signer.ca.cert-file}, the environment variable
 * {@code CSRFLOW_SIGNER_CA_CERT_FILE}, and the defaults of {@code @WithDefault}.
 *
 * <p>A map of groups ({@code csrflow.signer.signers.<name>.cert-file}) is readable from the
 * environment only for keys without a dash or dot: SmallRye Config cannot tell where such a key ends
 * in {@code CSRFLOW_SIGNER_SIGNERS_KUBELET_SERVING_CERT_FILE}, and with no property of that key in
 * another source it ignores the variable (SmallRye Config 3.16, as in Quarkus 3.33: the map stays
 * empty). Such keys must be set as properties, e.g. in a file named by QUARKUS_CONFIG_LOCATIONS.
 */
final class ConfigSurface {
    static final Map<String, String> MAPPINGS = Map.of(
            "csr-watcher", "io.csrflow.watcher.WatcherConfig",
            "approver-service", "io.csrflow.approver.ApproverConfig",
            "signer-service", "io.csrflow.signer.SignerConfig",
            "rotation-scheduler", "io.csrflow.scheduler.SchedulerConfig");

    private final List<Pattern> environment = new ArrayList<>();
    private final List<Pattern> properties = new ArrayList<>();
    private final Map<String, String> defaults = new HashMap<>();

    private ConfigSurface() {
    }

    static ConfigSurface of(String service) {
        ConfigSurface surface = new ConfigSurface();
        try {
            surface.walk(Class.forName(MAPPINGS.get(service)), "CSRFLOW", "csrflow");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no configuration mapping for " + service, e);
        }
        return surface;
    }

    /** The environment variable a property is read from: upper case, every other character an underscore. */
    static String environmentVariable(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** True if the service reads this environment variable. */
    boolean reads(String environmentVariable) {
        return environment.stream().anyMatch(p -> p.matcher(environmentVariable).matches());
    }

    /** True if the service reads this property (from a properties file, say). */
    boolean readsProperty(String name) {
        return properties.stream().anyMatch(p -> p.matcher(name).matches());
    }

    /** The {@code @WithDefault} of a property outside any map, if it has one. */
    Optional<String> defaultOf(String property) {
        return Optional.ofNullable(defaults.get(property));
    }

    List<String> patterns() {
        return environment.stream().map(Pattern::pattern).toList();
    }

    /** {@code env} null: not settable from the environment (the elements of a list of groups). */
    private void walk(Class<?> mapping, String env, String prop) {
        for (Method method : mapping.getMethods()) {
            if (method.getParameterCount() > 0 || Modifier.isStatic(method.getModifiers()) || method.isDefault()) {
                continue;
            }
            String name = method.getName();
            String envName = env == null ? null
                    : env + "_" + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
            String propName = prop + "\\." + name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            WithDefault fallback = method.getAnnotation(WithDefault.class);
            if (fallback != null) {
                defaults.put(propName.replace("\\.", "."), fallback.value());
            }
            add(method.getGenericReturnType(), envName, propName);
        }
    }

    private void add(Type type, String env, String prop) {
        if (type instanceof ParameterizedType parameterized) {
            Type raw = parameterized.getRawType();
            Type[] arguments = parameterized.getActualTypeArguments();
            if (raw == Optional.class) {
                add(arguments[0], env, prop);
                return;
            }
            if (raw == Map.class) {
                boolean groups = isGroup(arguments[1]);
                // A group's key must end where the group's properties begin, see the class comment.
                add(arguments[1], env == null ? null : env + (groups ? "_[A-Z0-9]+" : "_[A-Z0-9_]+"),
                        prop + (groups ? "\\.([^.\"]+|\"[^\"]+\")" : "\\..+"));
                return;
            }
            if (raw instanceof Class<?> collection && Collection.class.isAssignableFrom(collection)
                    && isGroup(arguments[0])) {
                if (env != null) {
                    environment.add(Pattern.compile(env));
                }
                walk((Class<?>) arguments[0], null, prop + "\\[[0-9]+\\]");
                return;
            }
        }
        if (isGroup(type)) {
            walk((Class<?>) type, env, prop);
            return;
        }
        if (env != null) {
            environment.add(Pattern.compile(env));
        }
        properties.add(Pattern.compile(prop));
    }

    private static boolean isGroup(Type type) {
        return type instanceof Class<?> leaf && leaf.isInterface() && leaf.getName().startsWith("io.csrflow.");
    }
}
