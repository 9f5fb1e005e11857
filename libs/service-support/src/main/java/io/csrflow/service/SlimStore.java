package io.csrflow.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

/**
 * An informer store that keeps a small record per object instead of the object: at 100k Pods the
 * full fabric8 objects would hold the whole pod spec (containers, env, volumes) that the approver
 * never reads (a CSR cache keeps whole requests only for those still to be worked on). The informer itself needs only each object's key and resourceVersion back (to tell a
 * change from a relist of the same version), so that is what {@link #get} and {@link #values} give it.
 * Records are kept per namespace, the way the approver asks.
 *
 * @param <T> the API object
 * @param <R> the record kept for it
 */
public final class SlimStore<T extends HasMetadata, R> implements ItemStore<T> {
    private record Entry<R>(String resourceVersion, Named<R> named) {
    }

    private final Map<String, Map<String, Entry<R>>> byNamespace = new ConcurrentHashMap<>();
    /** Index key (an IP) → the records that list it; mostly one, so a small immutable list. */
    private final Map<String, List<Named<R>>> index = new ConcurrentHashMap<>();
    private final Function<T, R> slim;
    private final Supplier<T> shell;
    private final Function<R, Collection<String>> indexKeys;

    /**
     * @param slim      the record of one object; read only its own fields (the object is not kept)
     * @param shell     a new empty object of the type, for the informer's key-and-version view
     * @param indexKeys the keys under which {@link #indexed} finds a record (its IPs, say)
     */
    public SlimStore(Function<T, R> slim, Supplier<T> shell, Function<R, Collection<String>> indexKeys) {
        this.slim = slim;
        this.shell = shell;
        this.indexKeys = indexKeys;
    }

    public SlimStore(Function<T, R> slim, Supplier<T> shell) {
        this(slim, shell, r -> List.of());
    }

    @Override
    public String getKey(T object) {
        return Cache.metaNamespaceKeyFunc(object);
    }

    @Override
    public T put(String key, T object) {
        // The object's own strings, interned namespace: one copy each however many records share them.
        String namespace = namespaceOf(key).intern();
        String name = object.getMetadata().getName() != null ? object.getMetadata().getName() : nameOf(key);
        Entry<R> entry = new Entry<>(object.getMetadata().getResourceVersion(),
                new Named<>(namespace, name, slim.apply(object)));
        Entry<R> old = byNamespace.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>()).put(name, entry);
        unindex(old);
        for (String indexKey : indexKeys.apply(entry.named().value())) {
            index.merge(indexKey, List.of(entry.named()), (a, b) -> {
                List<Named<R>> both = new ArrayList<>(a);
                both.addAll(b);
                return List.copyOf(both);
            });
        }
        return shell(key, old);
    }

    @Override
    public T remove(String key) {
        Map<String, Entry<R>> names = byNamespace.get(namespaceOf(key));
        Entry<R> old = names == null ? null : names.remove(nameOf(key));
        unindex(old);
        return shell(key, old);
    }

    private void unindex(Entry<R> old) {
        if (old == null) {
            return;
        }
        for (String indexKey : indexKeys.apply(old.named().value())) {
            index.computeIfPresent(indexKey, (k, list) -> {
                List<Named<R>> rest = list.stream().filter(n -> n != old.named()).toList();
                return rest.isEmpty() ? null : rest;
            });
        }
    }

    /** The records listed under this index key. */
    public List<Named<R>> indexed(String indexKey) {
        return index.getOrDefault(indexKey, List.of());
    }

    @Override
    public Stream<String> keySet() {
        return byNamespace.entrySet().stream().flatMap(ns -> ns.getValue().keySet().stream()
                .map(name -> ns.getKey().isEmpty() ? name : ns.getKey() + "/" + name));
    }

    @Override
    public Stream<T> values() {
        return keySet().map(this::get).filter(java.util.Objects::nonNull);
    }

    @Override
    public int size() {
        return byNamespace.values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public T get(String key) {
        Map<String, Entry<R>> names = byNamespace.get(namespaceOf(key));
        return names == null ? null : shell(key, names.get(nameOf(key)));
    }

    /** Only keys and versions come back to the informer, never whole objects. */
    @Override
    public boolean isFullState() {
        return false;
    }

    public Optional<R> record(String namespace, String name) {
        Map<String, Entry<R>> names = byNamespace.get(namespace);
        Entry<R> entry = names == null ? null : names.get(name);
        return entry == null ? Optional.empty() : Optional.of(entry.named().value());
    }

    /** Name → record of one namespace. */
    public Stream<Map.Entry<String, R>> records(String namespace) {
        Map<String, Entry<R>> names = byNamespace.get(namespace);
        return names == null ? Stream.empty()
                : names.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue().named().value()));
    }

    /** A record with the namespace and name of its object. */
    public record Named<R>(String namespace, String name, R value) {
    }

    private T shell(String key, Entry<R> entry) {
        if (entry == null) {
            return null;
        }
        T object = shell.get();
        object.setMetadata(new ObjectMetaBuilder().withNamespace(emptyToNull(namespaceOf(key))).withName(nameOf(key))
                .withResourceVersion(entry.resourceVersion()).build());
        return object;
    }

    private static String namespaceOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    private static String nameOf(String key) {
        return key.substring(key.indexOf('/') + 1);
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
