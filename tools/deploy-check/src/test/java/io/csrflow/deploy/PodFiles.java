package io.csrflow.deploy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The files a container sees from its pod's Secret and ConfigMap volumes, with the owner, group and
 * mode the kubelet gives them, and whether the container's user may read them.
 *
 * <p>As the kubelet does it (pkg/volume/secret, configmap, projected; pkg/volume/volume_linux.go
 * {@code SetVolumeOwnership}): the kubelet, as root, writes each file owned by uid 0 and gid 0 with
 * the item's {@code mode}, else the volume's {@code defaultMode}, else 0644. If the pod has an
 * {@code fsGroup}, it then changes each file's group to the fsGroup and ORs in the read-only mask
 * 0440 (these volume types always report themselves read-only; read-write volumes get 0660). The
 * container's process runs as {@code runAsUser} (the container's, else the pod's, else the image's
 * USER), with {@code runAsGroup} as primary group (if unset, the image's, which the check does not
 * guess) and the pod's {@code supplementalGroups} and {@code fsGroup} as supplementary groups. It may
 * read a file if it is uid 0 and the owner may read, or one of its groups is the file's group and the
 * group may read, or others may read. (With every capability dropped, root has no override.)
 */
final class PodFiles {
    static final int DEFAULT_MODE = 0644;
    private static final int READ_ONLY_MASK = 0440;

    /** A file of a mounted volume; {@code key} "*" stands for every key of a volume without items. */
    record MountedFile(String path, String volume, String kind, String source, String key, long uid, long gid,
                       int mode) {
        boolean readableBy(Identity who) {
            return (who.uid() == uid && (mode & 0400) != 0)
                    || (who.groups().contains(gid) && (mode & 0040) != 0)
                    || (mode & 0004) != 0;
        }

        String describe() {
            return path + " (" + kind + " " + source + (key.equals("*") ? "" : " key " + key) + ", uid " + uid
                    + " gid " + gid + " mode 0" + Integer.toOctalString(mode) + ")";
        }
    }

    /** Who a container's process is: its user and every group it has. */
    record Identity(long uid, Set<Long> groups) {
        String describe() {
            return "uid " + uid + ", groups " + groups;
        }
    }

    private PodFiles() {
    }

    /** The user and groups of {@code container}'s process in {@code pod} (a pod spec). */
    static Identity identity(JsonNode pod, JsonNode container, long imageUser) {
        JsonNode podContext = pod.path("securityContext");
        JsonNode context = container.path("securityContext");
        long uid = context.has("runAsUser") ? context.path("runAsUser").asLong()
                : podContext.has("runAsUser") ? podContext.path("runAsUser").asLong() : imageUser;
        Set<Long> groups = new LinkedHashSet<>();
        if (context.has("runAsGroup")) {
            groups.add(context.path("runAsGroup").asLong());
        } else if (podContext.has("runAsGroup")) {
            groups.add(podContext.path("runAsGroup").asLong());
        }
        podContext.path("supplementalGroups").forEach(g -> groups.add(g.asLong()));
        if (podContext.has("fsGroup")) {
            groups.add(podContext.path("fsGroup").asLong());
        }
        return new Identity(uid, groups);
    }

    /** Every file {@code container} sees from Secret, ConfigMap and projected volumes of {@code pod}. */
    static List<MountedFile> files(JsonNode pod, JsonNode container) {
        List<MountedFile> files = new ArrayList<>();
        JsonNode fsGroup = pod.path("securityContext").path("fsGroup");
        for (JsonNode mount : container.path("volumeMounts")) {
            JsonNode volume = volume(pod, mount.path("name").asText());
            if (volume == null) {
                continue;
            }
            String base = mount.path("mountPath").asText();
            String subPath = mount.path("subPath").asText("");
            List<Source> sources = sources(volume);
            for (Source source : sources) {
                for (Entry entry : source.entries()) {
                    if (!subPath.isEmpty() && !entry.path().equals("*") && !subPath.equals(entry.path())) {
                        continue;
                    }
                    int mode = entry.mode() != null ? entry.mode() : source.defaultMode();
                    long gid = 0;
                    if (!fsGroup.isMissingNode()) {
                        gid = fsGroup.asLong();
                        mode |= READ_ONLY_MASK;
                    }
                    String path = subPath.isEmpty() ? base + "/" + entry.path() : base;
                    files.add(new MountedFile(path, volume.path("name").asText(), source.kind(), source.name(),
                            entry.key(), 0, gid, mode));
                }
            }
        }
        return files;
    }

    /** The mounted file at {@code path}, if a Secret, ConfigMap or projected volume provides it. */
    static Optional<MountedFile> at(JsonNode pod, JsonNode container, String path) {
        MountedFile wildcard = null;
        for (MountedFile file : files(pod, container)) {
            if (file.path().equals(path)) {
                return Optional.of(file);
            }
            String dir = file.path().substring(0, file.path().length() - 1);
            if (file.key().equals("*") && path.startsWith(dir) && !path.substring(dir.length()).contains("/")) {
                wildcard = file;
            }
        }
        return Optional.ofNullable(wildcard);
    }

    /** Problems: files of {@code pod}'s volumes that a container of it cannot read. */
    static List<String> unreadable(String name, JsonNode pod, long imageUser) {
        List<String> problems = new ArrayList<>();
        for (JsonNode container : pod.path("containers")) {
            Identity who = identity(pod, container, imageUser);
            for (MountedFile file : files(pod, container)) {
                if (!file.readableBy(who)) {
                    problems.add(name + "/" + container.path("name").asText() + " (" + who.describe()
                            + ") cannot read " + file.describe());
                }
            }
        }
        return problems;
    }

    /** A Secret's or ConfigMap's key as a file; key and path "*" for every key of a source without items. */
    private record Entry(String key, String path, Integer mode) {
    }

    private record Source(String kind, String name, List<Entry> entries, int defaultMode) {
    }

    private static List<Source> sources(JsonNode volume) {
        List<Source> sources = new ArrayList<>();
        for (String kind : List.of("secret", "configMap")) {
            JsonNode source = volume.path(kind);
            if (!source.isMissingNode()) {
                sources.add(new Source(kind, source.path(kind.equals("secret") ? "secretName" : "name").asText(),
                        items(source), source.path("defaultMode").asInt(DEFAULT_MODE)));
            }
        }
        JsonNode projected = volume.path("projected");
        if (!projected.isMissingNode()) {
            int defaultMode = projected.path("defaultMode").asInt(DEFAULT_MODE);
            for (JsonNode projection : projected.path("sources")) {
                for (String kind : List.of("secret", "configMap")) {
                    JsonNode source = projection.path(kind);
                    if (!source.isMissingNode()) {
                        sources.add(new Source(kind, source.path("name").asText(), items(source), defaultMode));
                    }
                }
            }
        }
        return sources;
    }

    private static List<Entry> items(JsonNode source) {
        List<Entry> entries = new ArrayList<>();
        source.path("items").forEach(item -> entries.add(new Entry(item.path("key").asText(), item.path("path").asText(),
                item.has("mode") ? item.path("mode").asInt() : null)));
        return entries.isEmpty() ? List.of(new Entry("*", "*", null)) : entries;
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals(name)) {
                return volume;
            }
        }
        return null;
    }
}
