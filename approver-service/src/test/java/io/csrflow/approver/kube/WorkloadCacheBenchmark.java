package io.csrflow.approver.kube;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.csrflow.service.SlimStore;
import io.csrflow.testsupport.HeapUse;

/**
 * What the workload caches retain at cluster scale: 100k Pods, 10k Services and 10k EndpointSlices
 * (10 endpoints each), as the informers would hold them by default (the fabric8 objects, read from
 * the JSON a real API server sends: managed fields, the projected token volume, five conditions) and
 * as {@link SlimStore} holds them. Prints retained heap; asserts nothing. Not part of the test run
 * (a *Benchmark); {@code mvn -pl approver-service test -Dtest=WorkloadCacheBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}, sizes with {@code -Dcsrflow.approver.benchmark.pods=100000}.
 */
class WorkloadCacheBenchmark {
    private static final int PODS = Integer.getInteger("csrflow.approver.benchmark.pods", 100_000);
    private static final int SERVICES = PODS / 10;
    private static final int NAMESPACES = Math.max(1, PODS / 1_000);

    @Test
    void printsRetainedHeapOfFullObjectsAndOfSlimRecords() {
        System.out.printf(Locale.ROOT, "%nWorkloadCacheBenchmark: %,d Pods, %,d Services, %,d EndpointSlices "
                + "(10 endpoints each) in %,d namespaces%n", PODS, SERVICES, SERVICES, NAMESPACES);
        System.out.printf(Locale.ROOT, "%-16s %18s %18s %14s%n", "objects", "full objects (MB)", "slim records (MB)",
                "bytes/object");
        row("Pods", PODS, WorkloadCacheBenchmark::pod, WorkloadCache.podStore());
        row("Services", SERVICES, WorkloadCacheBenchmark::service, WorkloadCache.serviceStore());
        row("EndpointSlices", SERVICES, WorkloadCacheBenchmark::slice,
                new SlimStore<>(WorkloadCache::slice, EndpointSlice::new));
        SlimStore<Pod, ?> pods = WorkloadCache.podStore();
        for (int i = 0; i < PODS; i++) {
            Pod pod = pod(i);
            pods.put(Cache.metaNamespaceKeyFunc(pod), pod);
        }
        int lookups = 100_000;
        long found = 0;
        long started = System.nanoTime();
        for (int i = 0; i < lookups; i++) {
            found += pods.indexed(ip(i * 7919 % PODS)).size();
        }
        System.out.printf(Locale.ROOT, "pod by IP among %,d pods: %.2f µs per lookup (%d found)%n", PODS,
                (System.nanoTime() - started) / 1e3 / lookups, found);
    }

    private static <T extends HasMetadata> void row(String what, int count, IntFunction<T> make, SlimStore<T, ?> slim) {
        long base = HeapUse.afterGc();
        Map<String, T> full = new HashMap<>();
        for (int i = 0; i < count; i++) {
            T object = make.apply(i);
            full.put(Cache.metaNamespaceKeyFunc(object), object);
        }
        long fullBytes = HeapUse.afterGc() - base;
        if (full.size() != count) {
            throw new IllegalStateException("duplicate keys");
        }
        full = null;
        base = HeapUse.afterGc();
        for (int i = 0; i < count; i++) {
            T object = make.apply(i);
            slim.put(Cache.metaNamespaceKeyFunc(object), object);
        }
        long slimBytes = HeapUse.afterGc() - base;
        System.out.printf(Locale.ROOT, "%-16s %18.1f %18.1f %7d → %5d%n", what + " " + String.format(Locale.ROOT,
                "%,d", count), fullBytes / 1e6, slimBytes / 1e6, fullBytes / count, slimBytes / count);
        if (slim.size() != count) {
            throw new IllegalStateException("lost records");
        }
    }

    private static String ip(int i) {
        return "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
    }

    private static String namespace(int i) {
        return "team-" + (i % NAMESPACES);
    }

    /** A Deployment's pod as the API server lists it. */
    static Pod pod(int i) {
        String ns = namespace(i);
        String name = "app-" + (i / 10) + "-7d9c5b6f4-" + Integer.toString(i, 36);
        String json = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%1$s","generateName":"app-7d9c5b6f4-",
                "namespace":"%2$s","uid":"%3$08x-1b2c-4d3e-8f40-%3$012x","resourceVersion":"%4$d",
                "creationTimestamp":"2026-11-30T10:00:00Z","labels":{"app":"app-%5$d","pod-template-hash":"7d9c5b6f4",
                "app.kubernetes.io/part-of":"shop"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-29T08:00:00Z"},
                "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"app-7d9c5b6f4",
                "uid":"6a1f2e3d-1b2c-4d3e-8f40-000000000001","controller":true,"blockOwnerDeletion":true}],
                "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1",
                "time":"2026-11-30T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},
                "f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{}}},"f:spec":{
                "f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},"f:env":{},"f:image":{},"f:name":{},"f:ports":{},
                "f:resources":{}}},"f:serviceAccountName":{}}}},{"manager":"kubelet","operation":"Update","apiVersion":"v1",
                "time":"2026-11-30T10:00:05Z","fieldsType":"FieldsV1","subresource":"status","fieldsV1":{"f:status":{
                "f:conditions":{},"f:containerStatuses":{},"f:hostIP":{},"f:phase":{},"f:podIP":{},"f:podIPs":{},
                "f:startTime":{}}}}]},
                "spec":{"volumes":[{"name":"kube-api-access-x7k2p","projected":{"sources":[{"serviceAccountToken":{
                "expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt",
                "path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1",
                "fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],
                "containers":[{"name":"app","image":"registry.example/shop/app:1.4.2","ports":[{"name":"https",
                "containerPort":8443,"protocol":"TCP"}],"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{
                "apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"LOG_LEVEL","value":"info"},{"name":"TLS_DIR",
                "value":"/var/run/tls"}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{
                "memory":"256Mi"}},"volumeMounts":[{"name":"kube-api-access-x7k2p","readOnly":true,
                "mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"terminationMessagePath":"/dev/termination-log",
                "terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always",
                "terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"app-%5$d",
                "serviceAccount":"app-%5$d","nodeName":"node-%6$d","securityContext":{},"schedulerName":"default-scheduler",
                "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
                "tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute",
                "tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
                "status":{"phase":"Running","conditions":[{"type":"PodReadyToStartContainers","status":"True",
                "lastTransitionTime":"2026-11-30T10:00:03Z"},{"type":"Initialized","status":"True",
                "lastTransitionTime":"2026-11-30T10:00:01Z"},{"type":"Ready","status":"True",
                "lastTransitionTime":"2026-11-30T10:00:05Z"},{"type":"ContainersReady","status":"True",
                "lastTransitionTime":"2026-11-30T10:00:05Z"},{"type":"PodScheduled","status":"True",
                "lastTransitionTime":"2026-11-30T10:00:00Z"}],"hostIP":"192.168.%7$d.%8$d","hostIPs":[{"ip":"192.168.%7$d.%8$d"}],
                "podIP":"%9$s","podIPs":[{"ip":"%9$s"}],"startTime":"2026-11-30T10:00:01Z","containerStatuses":[{
                "name":"app","state":{"running":{"startedAt":"2026-11-30T10:00:04Z"}},"lastState":{},"ready":true,
                "restartCount":0,"image":"registry.example/shop/app:1.4.2",
                "imageID":"registry.example/shop/app@sha256:4f3c2b1a09e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2",
                "containerID":"containerd://%3$064x","started":true}],"qosClass":"Burstable"}}
                """.formatted(name, ns, i, 1000 + i, i / 10, i % 1000, i / 250 % 256, i % 250 + 1, ip(i));
        return Serialization.unmarshal(json, Pod.class);
    }

    static Service service(int i) {
        String json = """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"app-%1$d","namespace":"%2$s",
                "uid":"%1$08x-2b2c-4d3e-8f40-%1$012x","resourceVersion":"%3$d","creationTimestamp":"2026-11-30T10:00:00Z",
                "labels":{"app":"app-%1$d"},"managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1",
                "time":"2026-11-30T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:ports":{},"f:selector":{}}}}]},
                "spec":{"ports":[{"name":"https","protocol":"TCP","port":443,"targetPort":8443}],"selector":{"app":"app-%1$d"},
                "clusterIP":"10.96.%4$d.%5$d","clusterIPs":["10.96.%4$d.%5$d"],"type":"ClusterIP","sessionAffinity":"None",
                "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"},
                "status":{"loadBalancer":{}}}
                """.formatted(i, namespace(i * 10), 500_000 + i, i / 250 + 1, i % 250 + 1);
        return Serialization.unmarshal(json, Service.class);
    }

    static EndpointSlice slice(int i) {
        List<String> endpoints = new ArrayList<>();
        for (int e = 0; e < 10; e++) {
            int pod = i * 10 + e;
            endpoints.add("""
                    {"addresses":["%1$s"],"conditions":{"ready":true,"serving":true,"terminating":false},
                    "targetRef":{"kind":"Pod","namespace":"%2$s","name":"app-%3$d-7d9c5b6f4-%4$s",
                    "uid":"%5$08x-1b2c-4d3e-8f40-%5$012x"},"nodeName":"node-%6$d"}""".formatted(ip(pod), namespace(pod),
                    pod / 10, Integer.toString(pod, 36), pod, pod % 1000));
        }
        String json = """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"app-%1$d-x2v9q",
                "generateName":"app-%1$d-","namespace":"%2$s","uid":"%1$08x-3b2c-4d3e-8f40-%1$012x","resourceVersion":"%3$d",
                "labels":{"kubernetes.io/service-name":"app-%1$d","endpointslice.kubernetes.io/managed-by":
                "endpointslice-controller.k8s.io"},"ownerReferences":[{"apiVersion":"v1","kind":"Service","name":"app-%1$d",
                "uid":"%1$08x-2b2c-4d3e-8f40-%1$012x","controller":true,"blockOwnerDeletion":true}]},
                "addressType":"IPv4","endpoints":[%4$s],"ports":[{"name":"https","protocol":"TCP","port":8443}]}
                """.formatted(i, namespace(i * 10), 700_000 + i, String.join(",", endpoints));
        return Serialization.unmarshal(json, EndpointSlice.class);
    }
}
