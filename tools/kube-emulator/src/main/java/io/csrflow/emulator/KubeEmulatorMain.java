package io.csrflow.emulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.csrflow.nativecrypto.Accp;

/**
 * Runs the emulator as a process:
 * {@code java -cp "kube-emulator.jar:lib/*" io.csrflow.emulator.KubeEmulatorMain [--host H] [--port P] [--http] [--config FILE]
 * [--rbac FILE]... [--kubeconfig FILE] [--token TOKEN] [--client-ca FILE] [--tls-cert-file FILE --tls-private-key-file FILE]
 * [--service-cluster-ip-range CIDR] [--crypto-provider auto|jdk]}. {@code --crypto-provider auto} (the
 * default) puts the Amazon Corretto Crypto Provider first where it loads, for TLS above all. Services get their cluster IPs from {@code --service-cluster-ip-range}
 * (default {@value ServiceCidr#DEFAULT}), as kube-apiserver's option of that name. Each {@code --rbac} file
 * (multi-document YAML, e.g. what {@code kubectl kustomize k8s/overlays/dev} renders) adds its Roles,
 * ClusterRoles and bindings to those of the config; other kinds in it are ignored. The kubeconfig logs in as the user of
 * {@code --token} (default: the administrator of the default config). HTTPS by default, with a
 * self-signed certificate, because kubectl sends bearer tokens only over TLS. With
 * {@code --client-ca}, client certificates chaining to that PEM bundle authenticate too (kubelets
 * after their bootstrap). With {@code --tls-cert-file} and {@code --tls-private-key-file} (PEM, as
 * kube-apiserver's options of those names) it serves that certificate instead of a self-signed one,
 * so that clients can verify it against their CA.
 */
public final class KubeEmulatorMain {
    private KubeEmulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 6443;
        boolean https = true;
        Path configFile = null;
        Path kubeconfig = null;
        String token = "admin-token";
        Path clientCa = null;
        Path tlsCert = null;
        Path tlsKey = null;
        String serviceClusterIpRange = null;
        String cryptoProvider = "auto";
        List<Path> rbacFiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i);
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                case "--http" -> https = false;
                case "--config" -> configFile = Path.of(value(args, ++i));
                case "--rbac" -> rbacFiles.add(Path.of(value(args, ++i)));
                case "--kubeconfig" -> kubeconfig = Path.of(value(args, ++i));
                case "--token" -> token = value(args, ++i);
                case "--client-ca" -> clientCa = Path.of(value(args, ++i));
                case "--tls-cert-file" -> tlsCert = Path.of(value(args, ++i));
                case "--tls-private-key-file" -> tlsKey = Path.of(value(args, ++i));
                case "--service-cluster-ip-range" -> serviceClusterIpRange = value(args, ++i);
                case "--crypto-provider" -> cryptoProvider = value(args, ++i);
                default -> {
                    System.err.println("unknown option " + args[i] + "; options: --host --port --http --config "
                            + "--rbac --kubeconfig --token --client-ca --tls-cert-file --tls-private-key-file "
                            + "--service-cluster-ip-range --crypto-provider");
                    System.exit(2);
                }
            }
        }
        // kube-apiserver's TLS and signature checks run in Go's assembly; with the JDK's Java code the
        // stand-in spent 40% of its CPU in TLS handshakes. The request checks keep Bouncy Castle.
        switch (cryptoProvider) {
            case "auto" -> System.out.println("crypto: " + Accp.preferFirst());
            case "jdk" -> System.out.println("crypto: the JDK's providers");
            default -> {
                System.err.println("--crypto-provider is auto (ACCP first where it loads) or jdk, not " + cryptoProvider);
                System.exit(2);
            }
        }
        EmulatorConfig config = configFile == null ? EmulatorConfig.defaults() : EmulatorConfig.load(configFile);
        if (serviceClusterIpRange != null) {
            try {
                config = config.withServiceClusterIpRange(serviceClusterIpRange);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                System.exit(2);
            }
        }
        for (Path rbacFile : rbacFiles) {
            int before = config.rbacObjects().size();
            config = config.withRbac(rbacFile);
            System.out.println("RBAC from " + rbacFile + ": " + (config.rbacObjects().size() - before)
                    + " Roles, ClusterRoles and bindings");
        }
        if (clientCa != null && !https) {
            System.err.println("--client-ca needs HTTPS; drop --http");
            System.exit(2);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            System.err.println("--tls-cert-file and --tls-private-key-file go together");
            System.exit(2);
        }
        if (tlsCert != null && !https) {
            System.err.println("--tls-cert-file needs HTTPS; drop --http");
            System.exit(2);
        }
        KubeEmulator emulator = tlsCert != null
                ? KubeEmulator.startWithServingCertificate(config, host, port, clientCa, tlsCert, tlsKey)
                : clientCa == null ? KubeEmulator.start(config, host, port, https)
                : KubeEmulator.startWithClientCa(config, host, port, clientCa);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }));
        if (kubeconfig != null) {
            emulator.writeKubeconfig(kubeconfig, token);
        }
        System.out.println("kube-emulator listening on " + emulator.url()
                + (kubeconfig == null ? "" : ", kubeconfig " + kubeconfig.toAbsolutePath()));
        stopped.await();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("option " + args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
