package io.csrflow.emulator;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The emulator's object storage, shaped like etcd behind kube-apiserver's watch cache: one
 * revision counter for every write of every kind (an object's {@code resourceVersion} is the
 * revision that wrote it), objects by {@code (resource, namespace, name)} in a hash map with a
 * sorted key index beside it for ordered, paged lists, and per resource a bounded history of
 * changes. The history serves watches that resume from a resourceVersion (events after it, no
 * replay) and consistent list pages (a page at revision R is the current objects with the changes
 * after R undone); a resourceVersion older than the history answers 410 Expired, as a compacted
 * etcd or an outrun watch cache does.
 *
 * <p>Writes hold the write lock (so that a resourceVersion check and the write it guards are one
 * step, and watchers see changes in revision order); lists and watch registrations hold the read
 * lock; single gets take no lock. Stored objects are immutable JSON bytes: lists and watch events
 * are assembled from them without parsing.
 *
 * <p>The first revision is the wall clock in microseconds, so that revisions keep increasing
 * across restarts as etcd's do: a client that resumes with a resourceVersion from a previous run
 * gets 410 and relists, instead of waiting for a resourceVersion this run will reach much later.
 */
final class ObjectStore {
    /** History length per resource and bookmark period; the defaults are kube-apiserver's order of magnitude. */
    record Settings(int historyPerResource, Duration bookmarkInterval) {
        static final Settings DEFAULTS = new Settings(10_000, Duration.ofMinutes(1));
    }

    enum EventType { ADDED, MODIFIED, DELETED }

    /** One version of one object. Immutable; {@link #tree()} gives a fresh copy to change. */
    static final class Stored {
        final String namespace;
        final String name;
        final String key;
        final long resourceVersion;
        final String uid;
        final Map<String, String> labels;
        final Map<String, String> fields;
        final boolean deleting;
        final byte[] json;

        private Stored(String namespace, String name, long resourceVersion, String uid, Map<String, String> labels,
                Map<String, String> fields, boolean deleting, byte[] json) {
            this.namespace = namespace;
            this.name = name;
            this.key = key(namespace, name);
            this.resourceVersion = resourceVersion;
            this.uid = uid;
            this.labels = labels;
            this.fields = fields;
            this.deleting = deleting;
            this.json = json;
        }

        ObjectNode tree() {
            return Json.parseObject(json);
        }
    }

    /** A write as watchers see it; for DELETED, {@code object} is the last state at the deletion's revision. */
    record Change(EventType type, Stored object, Stored previous) {
        long revision() {
            return object.resourceVersion;
        }
    }

    /** One page of a list: the items at {@code resourceVersion}, and where the next page starts. */
    record Page(List<Stored> items, long resourceVersion, String continueToken, Long remainingItemCount) {
    }

    /** The result of a delete: the object the API answers with, and whether it is gone (not only marked). */
    record Deletion(Stored object, boolean deleted) {
    }

    private static final class Bucket {
        final StoredResource resource;
        final ConcurrentHashMap<String, Stored> objects = new ConcurrentHashMap<>();
        final ConcurrentSkipListSet<String> keys = new ConcurrentSkipListSet<>();
        final ArrayDeque<Change> history = new ArrayDeque<>();
        final CopyOnWriteArrayList<WatchStream> watchers = new CopyOnWriteArrayList<>();
        /** Objects per namespace ("" for cluster-scoped), for the remainingItemCount of paged lists. */
        final Map<String, Integer> counts = new HashMap<>();
        long compactedThrough;

        Bucket(StoredResource resource, long compactedThrough) {
            this.resource = resource;
            this.compactedThrough = compactedThrough;
        }
    }

    private static final Stored ABSENT = new Stored(null, "", 0, "", Map.of(), Map.of(), false, new byte[0]);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<StoredResource, Bucket> buckets = new IdentityHashMap<>();
    private final Map<StoredResource, List<java.util.function.Consumer<Change>>> listeners =
            new ConcurrentHashMap<>();
    private final Clock clock;
    private final Settings settings;
    private long revision;

    ObjectStore(Clock clock, Settings settings) {
        this.clock = clock;
        this.settings = settings;
        Instant now = clock.instant();
        this.revision = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        for (StoredResource resource : StoredResource.storedKinds()) {
            buckets.put(resource, new Bucket(resource, revision));
        }
        for (String namespace : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            ObjectNode object = Json.MAPPER.createObjectNode();
            object.putObject("metadata").put("name", namespace);
            create(StoredResource.of("", "namespaces"), null, object);
        }
    }

    Settings settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    /** The revision of the last write. */
    long revision() {
        lock.readLock().lock();
        try {
            return revision;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code action} holding the write lock, so that what it reads and what it writes are one step. */
    <T> T writeLocked(Supplier<T> action) {
        lock.writeLock().lock();
        try {
            return action.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---- reads ------------------------------------------------------------------------------

    /** The stored object, or null. */
    Stored get(StoredResource resource, String namespace, String name) {
        return bucket(resource).objects.get(key(resource.namespaced() ? namespace : null, name));
    }

    /** Every object of a namespaced resource in {@code namespace} as it is now, for the Node authorizer's edges. */
    List<Stored> inNamespace(StoredResource resource, String namespace) {
        return bucket(resource).objects.values().stream().filter(o -> namespace.equals(o.namespace)).toList();
    }

    /** The stored object as {@code resource} shows it (a fresh tree), or 404 NotFound. */
    ObjectNode getObject(StoredResource resource, String namespace, String name) {
        Stored stored = get(resource, namespace, name);
        if (stored == null) {
            throw ApiException.notFound(resource.qualifiedName(), name);
        }
        return resource.fromStored(stored.tree());
    }

    /**
     * Every object of a resource ({@code group} empty for the core group), for components of the
     * emulator that read stored objects (RBAC reads Roles and bindings this way).
     */
    List<ObjectNode> objects(String group, String resourceName) {
        StoredResource resource = StoredResource.of(group, resourceName);
        if (resource == null) {
            throw new IllegalArgumentException("the emulator stores no " + resourceName + " in group '" + group + "'");
        }
        List<ObjectNode> result = new ArrayList<>();
        for (Stored stored : list(resource, null, ListOptions.parse(""), LabelSelector.EVERYTHING,
                FieldSelector.EVERYTHING).items()) {
            result.add(resource.fromStored(stored.tree()));
        }
        return result;
    }

    /**
     * A list as the API server serves it: ordered by namespace and name, at the revision the
     * options ask for ({@code resourceVersionMatch=Exact} and continue tokens read the past from the
     * history), a page of at most {@code limit} items with a continue token for the rest.
     */
    Page list(StoredResource resource, String namespace, ListOptions options, LabelSelector labels,
            FieldSelector fields) {
        lock.readLock().lock();
        try {
            Bucket bucket = bucket(resource);
            long at = revision;
            String after = null;
            long examinedBefore = 0;
            if (!options.continueToken().isEmpty()) {
                ContinueToken token = ContinueToken.decode(options.continueToken());
                if (token.resourceVersion() > 0 && token.resourceVersion() < bucket.compactedThrough) {
                    throw new ExpiredContinue(ContinueToken.encode(0, token.startAfter(), -1));
                }
                at = token.resourceVersion() > 0 ? token.resourceVersion() : revision;
                after = token.startAfter();
                examinedBefore = token.examined();
            } else if (!options.resourceVersion().isEmpty() && !options.resourceVersion().equals("0")) {
                long requested = parseResourceVersion(options.resourceVersion());
                if (requested > revision) {
                    throw tooLarge(requested);
                }
                if (options.resourceVersionMatch().equals("Exact")) {
                    if (requested < bucket.compactedThrough) {
                        throw expired(requested, bucket.compactedThrough);
                    }
                    at = requested;
                }
            }
            String scope = resource.namespaced() ? namespace : null;
            String name = fields.exactMatch("metadata.name");
            if (name != null && at == revision && after == null && (scope != null || !resource.namespaced())) {
                // One object by name (informers on a single object): a lookup, not a scan.
                Stored stored = bucket.objects.get(key(scope, name));
                boolean selected = stored != null && labels.matches(stored.labels)
                        && fields.matches(stored.name, stored.namespace, stored.fields);
                return new Page(selected ? List.of(stored) : List.of(), at, null, null);
            }
            Iterator<Stored> snapshot = snapshot(bucket, scope, after, at);
            List<Stored> items = new ArrayList<>();
            String lastKey = null;
            long examined = examinedBefore;
            boolean more = false;
            while (snapshot.hasNext()) {
                if (options.limit() > 0 && items.size() >= options.limit()) {
                    more = true;
                    break;
                }
                Stored stored = snapshot.next();
                lastKey = stored.key;
                examined++;
                if ((name == null || name.equals(stored.name)) && labels.matches(stored.labels)
                        && fields.matches(stored.name, stored.namespace, stored.fields)) {
                    items.add(stored);
                }
            }
            if (!more) {
                return new Page(items, at, null, null);
            }
            // As the API server: the count of what is left, when no selector makes it unknowable.
            Long remaining = labels.isEverything() && fields.isEverything() && examinedBefore >= 0
                    ? countAt(bucket, scope, at) - examined : null;
            return new Page(items, at, ContinueToken.encode(at, lastKey, examinedBefore >= 0 ? examined : -1),
                    remaining);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Opens a watch: registers {@code stream} for the changes after its starting point and queues
     * what comes before them (the current objects as ADDED for resourceVersion unset or "0",
     * the history after the given resourceVersion, or a 410 ERROR when the history no longer
     * reaches back that far), all while no write can interleave.
     */
    void watch(WatchStream stream, ListOptions options) {
        lock.readLock().lock();
        try {
            Bucket bucket = bucket(stream.resource());
            String requested = options.resourceVersion();
            boolean initialEvents = options.sendInitialEvents() != null ? options.sendInitialEvents()
                    : requested.isEmpty() || requested.equals("0");
            if (!initialEvents && !requested.isEmpty() && !requested.equals("0")) {
                long from = parseResourceVersion(requested);
                if (from > revision) {
                    stream.fail(tooLarge(from));
                    return;
                }
                if (from < bucket.compactedThrough) {
                    stream.fail(expired(from, bucket.compactedThrough));
                    return;
                }
                for (Change change : changesAfter(bucket, from)) {
                    stream.offer(change);
                }
            } else if (initialEvents) {
                Iterator<Stored> current = snapshot(bucket, stream.namespace(), null, revision);
                while (current.hasNext()) {
                    stream.offerInitial(current.next());
                }
                if (Boolean.TRUE.equals(options.sendInitialEvents())) {
                    stream.offerBookmark(revision, true);
                }
            }
            bucket.watchers.add(stream);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Queues a BOOKMARK at the current revision, after every change the stream has been given. */
    void bookmark(WatchStream stream) {
        lock.readLock().lock();
        try {
            stream.offerBookmark(revision, false);
        } finally {
            lock.readLock().unlock();
        }
    }

    void unwatch(WatchStream stream) {
        bucket(stream.resource()).watchers.remove(stream);
    }

    /**
     * Calls {@code listener} after every change of {@code resource}, holding the write lock: the
     * emulator's stand-ins for controllers (a Namespace's {@code default} ServiceAccount) write in the
     * same step as the change they react to.
     */
    void onChange(StoredResource resource, java.util.function.Consumer<Change> listener) {
        listeners.computeIfAbsent(resource.storage(), r -> new CopyOnWriteArrayList<>()).add(listener);
    }

    private void notifyListeners(Bucket bucket, Change change) {
        for (java.util.function.Consumer<Change> listener : listeners.getOrDefault(bucket.resource, List.of())) {
            listener.accept(change);
        }
    }

    // ---- writes -----------------------------------------------------------------------------

    /**
     * Stores a new object: the name from {@code metadata.name} or {@code generateName} plus five
     * random characters, a random uid, the server's creationTimestamp, the next revision. 409
     * AlreadyExists when the name is taken.
     */
    Stored create(StoredResource resource, String namespace, ObjectNode object) {
        return writeLocked(() -> {
            ObjectNode body = resource.toStored(object);
            StoredResource storage = resource.storage();
            Bucket bucket = bucket(resource);
            ObjectNode metadata = Json.object(body, "metadata");
            String scope = scope(storage, namespace, metadata);
            String name = Json.text(metadata, "name");
            if (name == null || name.isEmpty()) {
                String prefix = Json.text(metadata, "generateName");
                if (prefix == null || prefix.isEmpty()) {
                    throw ApiException.invalid(storage.qualifiedKind(), "", List.of(
                            "metadata.name: Required value: name or generateName is required"));
                }
                do {
                    name = GeneratedNames.generate(prefix);
                } while (bucket.objects.containsKey(key(scope, name)));
                metadata.put("name", name);
            }
            if (bucket.objects.containsKey(key(scope, name))) {
                throw ApiException.alreadyExists(resource.qualifiedName(), name);
            }
            canonical(storage, body);
            metadata.put("uid", UUID.randomUUID().toString());
            metadata.put("creationTimestamp", now());
            for (String field : List.of("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")) {
                metadata.remove(field);
            }
            if (storage.resource().equals("namespaces")) {
                defaultNamespace(body);
            }
            Stored created = stamp(storage, body, ++revision);
            commit(bucket, new Change(EventType.ADDED, created, null));
            return created;
        });
    }

    /** What an update replaces: the whole object (rules already applied), or one side of a status subresource. */
    enum Part {
        /** The object as given: the caller has already applied the kind's rules (CSRs). */
        ALL,
        /** PUT on the object: for a kind with a status subresource, the stored status is kept. */
        OBJECT,
        /** PUT on {@code /status}: the stored spec is kept. */
        STATUS
    }

    /**
     * Replaces a stored object, as the API server's update does: the name and namespace must match
     * the request's; a resourceVersion in the body must be the stored one (409 Conflict), and one
     * is required where the kind does not allow unconditional updates (422); a uid in the body must
     * be the stored one (409); uid, creationTimestamp, deletionTimestamp and generation stay as
     * stored; an update that changes nothing writes nothing; removing the last finalizer of an
     * object being deleted deletes it. A kind that allows create-on-update is created when absent.
     */
    Stored update(StoredResource resource, String namespace, String name, ObjectNode object, Part part) {
        return writeLocked(() -> {
            ObjectNode body = resource.toStored(object);
            StoredResource storage = resource.storage();
            Bucket bucket = bucket(resource);
            ObjectNode metadata = Json.object(body, "metadata");
            String bodyName = Json.text(metadata, "name");
            if (bodyName != null && !bodyName.isEmpty() && !bodyName.equals(name)) {
                throw new ApiException(400, "BadRequest", "the name of the object (" + bodyName
                        + ") does not match the name on the URL (" + name + ")");
            }
            String scope = scope(storage, namespace, metadata);
            Stored existing = bucket.objects.get(key(scope, name));
            String requested = Json.text(metadata, "resourceVersion");
            if (existing == null) {
                if (part == Part.OBJECT && storage.createOnUpdate()) {
                    if (requested != null && !requested.isEmpty()) {
                        throw ApiException.notFound(resource.qualifiedName(), name);
                    }
                    metadata.put("name", name);
                    return create(storage, namespace, body);
                }
                throw ApiException.notFound(resource.qualifiedName(), name);
            }
            if (requested == null || requested.isEmpty()) {
                if (!storage.unconditionalUpdate()) {
                    throw ApiException.invalid(storage.qualifiedKind(), name, List.of("metadata.resourceVersion: "
                            + "Invalid value: 0x0: must be specified for an update"));
                }
            } else if (!requested.equals(String.valueOf(existing.resourceVersion))) {
                throw ApiException.conflict(resource.qualifiedName(), name);
            }
            String uid = Json.text(metadata, "uid");
            if (uid != null && !uid.isEmpty() && !uid.equals(existing.uid)) {
                throw ApiException.uidPreconditionFailed(resource.qualifiedName(), name,
                        storageKey(storage, namespace, name), uid, existing.uid);
            }
            ObjectNode old = existing.tree();
            if (part == Part.OBJECT && storage.statusSubresource()) {
                copyField(old, body, "status");
            } else if (part == Part.STATUS) {
                copyField(old, body, "spec");
            }
            ObjectNode oldMetadata = (ObjectNode) old.get("metadata");
            metadata.put("name", name);
            for (String field : List.of("uid", "creationTimestamp", "deletionTimestamp",
                    "deletionGracePeriodSeconds", "generation", "namespace")) {
                copyField(oldMetadata, metadata, field);
            }
            metadata.remove("selfLink");
            canonical(storage, body);
            metadata.put("resourceVersion", String.valueOf(existing.resourceVersion));
            if (body.equals(old)) {
                return existing;
            }
            if (existing.deleting && !metadata.path("finalizers").elements().hasNext()) {
                return remove(bucket, existing, stamp(storage, body, existing.resourceVersion)).object();
            }
            Stored updated = stamp(storage, body, ++revision);
            commit(bucket, new Change(EventType.MODIFIED, updated, existing));
            return updated;
        });
    }

    /** The object's key in the API server's etcd, as its storage errors name it. */
    static String storageKey(StoredResource storage, String namespace, String name) {
        return "/registry/" + storage.resource() + (storage.namespaced() && namespace != null ? "/" + namespace : "")
                + "/" + name;
    }

    /**
     * Deletes an object, as the API server does: preconditions on uid and resourceVersion (409);
     * an object with finalizers is only marked (deletionTimestamp) and stays until an update removes
     * the last one; a Namespace becomes Terminating and, as the namespace controller would, its
     * objects are deleted and then the Namespace itself.
     */
    Deletion delete(StoredResource resource, String namespace, String name, String uidPrecondition,
            String resourceVersionPrecondition) {
        return writeLocked(() -> {
            StoredResource storage = resource.storage();
            Bucket bucket = bucket(resource);
            Stored existing = bucket.objects.get(key(storage.namespaced() ? namespace : null, name));
            if (existing == null) {
                throw ApiException.notFound(resource.qualifiedName(), name);
            }
            if (uidPrecondition != null && !uidPrecondition.equals(existing.uid)) {
                throw ApiException.uidPreconditionFailed(resource.qualifiedName(), name,
                        storageKey(storage, namespace, name), uidPrecondition, existing.uid);
            }
            if (resourceVersionPrecondition != null
                    && !resourceVersionPrecondition.equals(String.valueOf(existing.resourceVersion))) {
                throw ApiException.preconditionFailed(resource.qualifiedName(), name,
                        storageKey(storage, namespace, name), "ResourceVersion in precondition: "
                                + resourceVersionPrecondition + ", ResourceVersion in object meta: "
                                + existing.resourceVersion);
            }
            if (storage.resource().equals("namespaces")) {
                return deleteNamespace(bucket, existing);
            }
            ObjectNode tree = existing.tree();
            if (tree.path("metadata").path("finalizers").elements().hasNext()) {
                if (existing.deleting) {
                    return new Deletion(existing, false);
                }
                ObjectNode metadata = (ObjectNode) tree.get("metadata");
                metadata.put("deletionTimestamp", now());
                metadata.put("deletionGracePeriodSeconds", 0);
                Stored marked = stamp(storage, tree, ++revision);
                commit(bucket, new Change(EventType.MODIFIED, marked, existing));
                return new Deletion(marked, false);
            }
            return remove(bucket, existing, existing);
        });
    }

    private Deletion deleteNamespace(Bucket namespaces, Stored existing) {
        ObjectNode tree = existing.tree();
        Stored terminating = existing;
        if (!existing.deleting) {
            ((ObjectNode) tree.get("metadata")).put("deletionTimestamp", now());
            Json.object(tree, "status").put("phase", "Terminating");
            terminating = stamp(namespaces.resource, tree, ++revision);
            commit(namespaces, new Change(EventType.MODIFIED, terminating, existing));
        }
        for (Bucket bucket : buckets.values()) {
            if (!bucket.resource.namespaced()) {
                continue;
            }
            for (String key : new ArrayList<>(bucket.keys.subSet(existing.name + "/", existing.name + "0"))) {
                Stored object = bucket.objects.get(key);
                if (object != null) {
                    remove(bucket, object, object);
                }
            }
        }
        remove(namespaces, terminating, terminating);
        return new Deletion(terminating, false);
    }

    /** Removes {@code existing}; {@code last} is the state the DELETED event shows (at the deletion's revision). */
    private Deletion remove(Bucket bucket, Stored existing, Stored last) {
        ObjectNode tree = last.tree();
        Stored gone = stamp(bucket.resource, tree, ++revision);
        bucket.objects.remove(existing.key);
        bucket.keys.remove(existing.key);
        bucket.counts.merge(existing.namespace == null ? "" : existing.namespace, -1, Integer::sum);
        Change change = new Change(EventType.DELETED, gone, existing);
        appendHistory(bucket, change);
        notifyWatchers(bucket, change);
        notifyListeners(bucket, change);
        return new Deletion(last, true);
    }

    private void commit(Bucket bucket, Change change) {
        Stored object = change.object();
        if (bucket.objects.put(object.key, object) == null) {
            bucket.keys.add(object.key);
            bucket.counts.merge(object.namespace == null ? "" : object.namespace, 1, Integer::sum);
        }
        appendHistory(bucket, change);
        notifyWatchers(bucket, change);
        notifyListeners(bucket, change);
    }

    private void appendHistory(Bucket bucket, Change change) {
        bucket.history.addLast(change);
        while (bucket.history.size() > settings.historyPerResource()) {
            bucket.compactedThrough = bucket.history.removeFirst().revision();
        }
    }

    private static void notifyWatchers(Bucket bucket, Change change) {
        for (WatchStream stream : bucket.watchers) {
            stream.offer(change);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private Bucket bucket(StoredResource resource) {
        Bucket bucket = buckets.get(resource.storage());
        if (bucket == null) {
            throw new IllegalArgumentException("not a stored resource: " + resource.qualifiedName());
        }
        return bucket;
    }

    private static String key(String namespace, String name) {
        return namespace == null ? name : namespace + "/" + name;
    }

    /** The namespace an object goes in, from the request path; a different one in the body is a 400. */
    private static String scope(StoredResource storage, String namespace, ObjectNode metadata) {
        String bodyNamespace = Json.text(metadata, "namespace");
        if (!storage.namespaced()) {
            metadata.remove("namespace");
            return null;
        }
        if (namespace == null || namespace.isEmpty()) {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                    + "resource");
        }
        if (bodyNamespace != null && !bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
            throw new ApiException(400, "BadRequest", "the namespace of the provided object does not match the "
                    + "namespace sent on the request");
        }
        metadata.put("namespace", namespace);
        return namespace;
    }

    /** apiVersion and kind first, as the API server writes them; a body naming another type is a 400. */
    private static void canonical(StoredResource storage, ObjectNode body) {
        String apiVersion = Json.text(body, "apiVersion");
        String kind = Json.text(body, "kind");
        if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals(storage.apiVersion())) {
            throw new ApiException(400, "BadRequest", "the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + storage.apiVersion() + ")");
        }
        if (kind != null && !kind.isEmpty() && !kind.equals(storage.kind())) {
            throw new ApiException(400, "BadRequest", "the kind in the data (" + kind
                    + ") does not match the expected kind (" + storage.kind() + ")");
        }
        Class<?> model = OpenApiDocuments.modelOf(storage.apiVersion(), storage.kind());
        if (model != null) {
            ModelSchemas.dropUnknownFields(body, model);
        }
        Map<String, JsonNode> rest = new LinkedHashMap<>();
        body.fields().forEachRemaining(e -> rest.put(e.getKey(), e.getValue()));
        body.removeAll();
        body.put("kind", storage.kind());
        body.put("apiVersion", storage.apiVersion());
        rest.forEach((field, value) -> {
            if (!field.equals("kind") && !field.equals("apiVersion")) {
                body.set(field, value);
            }
        });
    }

    private static void defaultNamespace(ObjectNode namespace) {
        ObjectNode spec = Json.object(namespace, "spec");
        if (!spec.has("finalizers")) {
            spec.putArray("finalizers").add("kubernetes");
        }
        Json.object(namespace, "status").put("phase", "Active");
    }

    private static void copyField(ObjectNode from, ObjectNode to, String field) {
        JsonNode value = from == null ? null : from.get(field);
        if (value == null || value.isNull()) {
            to.remove(field);
        } else {
            to.set(field, value.deepCopy());
        }
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The immutable stored form of {@code object} at {@code resourceVersion} (written into its metadata). */
    private static Stored stamp(StoredResource storage, ObjectNode object, long resourceVersion) {
        ObjectNode metadata = Json.object(object, "metadata");
        metadata.put("resourceVersion", String.valueOf(resourceVersion));
        Map<String, String> labels = Map.of();
        JsonNode labelNode = metadata.get("labels");
        if (labelNode != null && labelNode.size() > 0) {
            Map<String, String> copy = new HashMap<>();
            labelNode.fields().forEachRemaining(e -> copy.put(e.getKey(), e.getValue().asText()));
            labels = Map.copyOf(copy);
        }
        Map<String, String> fields = Map.of();
        if (!storage.fields().isEmpty()) {
            Map<String, String> values = new HashMap<>();
            for (String field : storage.fields()) {
                values.put(field, fieldValue(object, field));
            }
            fields = Map.copyOf(values);
        }
        try {
            return new Stored(Json.text(metadata, "namespace"), Json.text(metadata, "name"), resourceVersion,
                    Json.text(metadata, "uid"), labels, fields, metadata.hasNonNull("deletionTimestamp"),
                    Json.MAPPER.writeValueAsBytes(object));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A selectable field's value as the API server's GetAttrs computes it. */
    private static String fieldValue(ObjectNode object, String field) {
        switch (field) {
            case "source":
                return object.path("source").path("component").asText("");
            case "spec.unschedulable":
                return String.valueOf(object.path("spec").path("unschedulable").asBoolean(false));
            case "spec.hostNetwork":
                return String.valueOf(object.path("spec").path("hostNetwork").asBoolean(false));
            default:
                JsonNode node = object;
                for (String part : field.split("\\.")) {
                    node = node.path(part);
                }
                return node.isValueNode() ? node.asText() : "";
        }
    }

    /** {@code stored} at {@code resourceVersion}: the DELETED event of an object that stops matching a selector. */
    static Stored atRevision(StoredResource storage, Stored stored, long resourceVersion) {
        return stamp(storage, stored.tree(), resourceVersion);
    }

    private static long parseResourceVersion(String resourceVersion) {
        try {
            long value = Long.parseLong(resourceVersion);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ApiException(400, "BadRequest", "invalid resource version: \"" + resourceVersion + "\"");
        }
    }

    /** The changes after {@code revision} in a bucket's history, oldest first. */
    private static List<Change> changesAfter(Bucket bucket, long from) {
        List<Change> newer = new ArrayList<>();
        Iterator<Change> backwards = bucket.history.descendingIterator();
        while (backwards.hasNext()) {
            Change change = backwards.next();
            if (change.revision() <= from) {
                break;
            }
            newer.add(change);
        }
        Collections.reverse(newer);
        return newer;
    }

    /**
     * The objects of {@code namespace} (null: all) with keys after {@code after} (null: from the
     * start) as they were at revision {@code at}, in key order: current objects with every change
     * after {@code at} undone. Callers hold the lock.
     */
    private static Iterator<Stored> snapshot(Bucket bucket, String namespace, String after, long at) {
        NavigableSet<String> range = bucket.keys;
        if (namespace != null) {
            range = range.subSet(namespace + "/", true, namespace + "0", false);
        }
        if (after != null) {
            range = range.tailSet(after, false);
        }
        Map<String, Stored> past = new HashMap<>();
        for (Change change : changesAfter(bucket, at)) {
            past.putIfAbsent(change.object().key, change.previous() == null ? ABSENT : change.previous());
        }
        if (past.isEmpty()) {
            Iterator<String> keys = range.iterator();
            return filtered(keys, bucket.objects::get);
        }
        TreeSet<String> merged = new TreeSet<>();
        for (String key : past.keySet()) {
            if (inRange(key, namespace, after)) {
                merged.add(key);
            }
        }
        NavigableSet<String> currentKeys = range;
        Iterator<String> keys = new Iterator<>() {
            private final Iterator<String> a = currentKeys.iterator();
            private final Iterator<String> b = merged.iterator();
            private String nextA = a.hasNext() ? a.next() : null;
            private String nextB = b.hasNext() ? b.next() : null;

            @Override
            public boolean hasNext() {
                return nextA != null || nextB != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String result;
                if (nextB == null || (nextA != null && nextA.compareTo(nextB) < 0)) {
                    result = nextA;
                    nextA = a.hasNext() ? a.next() : null;
                } else {
                    if (nextB.equals(nextA)) {
                        nextA = a.hasNext() ? a.next() : null;
                    }
                    result = nextB;
                    nextB = b.hasNext() ? b.next() : null;
                }
                return result;
            }
        };
        return filtered(keys, key -> past.containsKey(key) ? past.get(key) : bucket.objects.get(key));
    }

    /** How many objects of {@code namespace} (null: all) there were at revision {@code at}. Callers hold the lock. */
    private static long countAt(Bucket bucket, String namespace, long at) {
        long count = 0;
        if (namespace == null) {
            for (int n : bucket.counts.values()) {
                count += n;
            }
        } else {
            count = bucket.counts.getOrDefault(namespace, 0);
        }
        for (Change change : changesAfter(bucket, at)) {
            if (namespace == null || namespace.equals(change.object().namespace)) {
                if (change.type() == EventType.ADDED) {
                    count--;
                } else if (change.type() == EventType.DELETED) {
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean inRange(String key, String namespace, String after) {
        return (namespace == null || key.startsWith(namespace + "/")) && (after == null || key.compareTo(after) > 0);
    }

    private static Iterator<Stored> filtered(Iterator<String> keys, java.util.function.Function<String, Stored> at) {
        return new Iterator<>() {
            private Stored next = advance();

            private Stored advance() {
                while (keys.hasNext()) {
                    Stored stored = at.apply(keys.next());
                    if (stored != null && stored != ABSENT) {
                        return stored;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Stored next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Stored result = next;
                next = advance();
                return result;
            }
        };
    }

    static ApiException expired(long requested, long oldest) {
        return new ApiException(410, "Expired", "too old resource version: " + requested + " (" + oldest + ")");
    }

    private ApiException tooLarge(long requested) {
        return new ApiException(504, "Timeout", "Too large resource version: " + requested + ", current: "
                + revision);
    }

    /**
     * A continue token the history no longer reaches: 410 Expired, with a token that continues the
     * list from the same key at the current revision (an inconsistent list), as the API server offers.
     */
    static final class ExpiredContinue extends RuntimeException {
        static final String MESSAGE = "The provided continue parameter is too old to display a consistent list "
                + "result. You can start a new list without the continue parameter, or use the continue token in "
                + "this response to retrieve the remainder of the results. Continuing with the provided token "
                + "results in an inconsistent list - objects that were created, modified, or deleted between the "
                + "time the first chunk was returned and now may show up in the list.";
        private final String inconsistentContinue;

        ExpiredContinue(String inconsistentContinue) {
            super(MESSAGE, null, false, false);
            this.inconsistentContinue = inconsistentContinue;
        }

        String inconsistentContinue() {
            return inconsistentContinue;
        }
    }
}
