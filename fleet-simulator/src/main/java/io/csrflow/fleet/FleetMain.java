package io.csrflow.fleet;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.csrflow.nativecrypto.Accp;

/**
 * {@code java -cp "fleet-simulator.jar:lib/*" io.csrflow.fleet.FleetMain --server URL --bootstrap-token T ...}:
 * runs a simulated kubelet fleet until stopped; see {@link FleetArguments} for the options.
 */
public final class FleetMain {
    private static final Logger LOG = LoggerFactory.getLogger(FleetMain.class);

    private FleetMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(FleetArguments.usage());
            return;
        }
        FleetSettings settings;
        Duration progress;
        boolean preferAccp;
        try {
            FleetArguments arguments = new FleetArguments(args, System.getenv());
            settings = arguments.settings();
            progress = arguments.progressInterval();
            preferAccp = arguments.preferAccp();
        } catch (IllegalArgumentException e) {
            System.err.println("fleet-simulator: " + e.getMessage());
            System.err.print(FleetArguments.usage());
            System.exit(2);
            return;
        }
        // Before anything makes a key or a TLS connection: thousands of kubelets' keys, CSRs and
        // handshakes in one JVM cost more in the JDK's Java crypto than the requests themselves.
        LOG.info("crypto: {}", preferAccp ? Accp.preferFirst() : "the JDK's providers");
        Fleet fleet = new Fleet(settings);
        RenewalListener listener = settings.kafka() == null ? null
                : new RenewalListener(settings.kafka(), settings.kafkaClient(), settings.renewalDueTopic(),
                        fleet::onRenewalDue);
        StatusServer status = new StatusServer(settings.statusHost(), settings.statusPort(), fleet::report);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            status.close();
            if (listener != null) {
                listener.close();
            }
            fleet.close();
            stopped.countDown();
        }, "fleet-shutdown"));
        status.start();
        if (listener != null) {
            listener.start();
            if (!listener.awaitAssignment(Duration.ofSeconds(60))) {
                LOG.warn("no partitions of {} assigned after 60 s; starting anyway, early notices may be missed",
                        settings.renewalDueTopic());
            }
        }
        LOG.info("starting {} simulated nodes against {} (status: http://0.0.0.0:{}/status)", settings.nodes(),
                settings.apiServer(), status.port());
        fleet.start();
        if (!progress.isZero()) {
            Thread printer = new Thread(() -> printProgress(fleet, progress), "fleet-progress");
            printer.setDaemon(true);
            printer.start();
        }
        stopped.await();
    }

    private static void printProgress(Fleet fleet, Duration interval) {
        String last = "";
        while (true) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            String line = fleet.report().summary();
            if (!line.equals(last)) {
                System.out.println("[fleet] " + line);
                last = line;
            }
        }
    }
}
