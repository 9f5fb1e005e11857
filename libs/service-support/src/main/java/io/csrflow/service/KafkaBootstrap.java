package io.csrflow.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;

/**
 * Holds the service's Kafka clients back until a host of {@code bootstrap.servers} resolves. A Kafka
 * client refuses to be constructed while none does ({@code ConfigException: No resolvable bootstrap
 * urls}), and SmallRye constructs its consumers while Quarkus starts, so a broker whose DNS name
 * appears after the service (its Service or container created alongside) stopped the service. One
 * host resolving is enough, as for the client itself; once built, a client looks its brokers up at
 * every connection and needs no gate.
 *
 * <p>Until then the name is looked up again with backoff; {@link #waitingFor()} says what is missing
 * ({@link KafkaReadiness} reports it). When a host resolves, every action handed to
 * {@link #whenResolvable} runs, and every paused incoming channel is resumed. The services declare
 * their incoming channels pausable, initially paused and subscribed late, and this library's
 * {@code microprofile-config.properties} makes the connector's clients lazy, so a channel's consumer
 * (and dead-letter producer) is created only then.
 */
@ApplicationScoped
public class KafkaBootstrap {
    private static final Logger LOG = Logger.getLogger(KafkaBootstrap.class);
    /** A name created alongside the service resolves within seconds; a longer wait looks every 10 s. */
    private static final Backoff RECHECK = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));

    /** Whether a host name resolves now. */
    @FunctionalInterface
    public interface Resolver {
        /** The system's resolver (the JVM caches a failed lookup for 10 s). */
        Resolver SYSTEM = host -> {
            try {
                InetAddress.getAllByName(host);
                return true;
            } catch (UnknownHostException e) {
                return false;
            }
        };

        boolean resolves(String host);
    }

    private final List<String> hosts;
    private final Resolver resolver;
    private final Backoff recheck;
    /** Counted down once a host resolved and the actions held until then have run. */
    private final CountDownLatch resolved = new CountDownLatch(1);
    /** A host resolved: actions run at once from now on. Guarded by {@code held}. */
    private boolean released;
    private final List<Runnable> held = new ArrayList<>();
    private volatile List<String> unresolved;
    private Thread lookup;

    @Inject
    KafkaBootstrap(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this(hosts(kafkaConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)), Resolver.SYSTEM, RECHECK);
    }

    KafkaBootstrap(List<String> hosts, Resolver resolver, Backoff recheck) {
        this.hosts = List.copyOf(hosts);
        this.resolver = resolver;
        this.recheck = recheck;
        this.unresolved = this.hosts;
    }

    /** The host names of a {@code bootstrap.servers} value; entries Kafka cannot parse are left to Kafka to refuse. */
    static List<String> hosts(Object bootstrapServers) {
        if (bootstrapServers == null) {
            return List.of();
        }
        String servers = bootstrapServers instanceof Collection<?> list ? String.join(",",
                list.stream().map(String::valueOf).toList()) : bootstrapServers.toString();
        List<String> hosts = new ArrayList<>();
        for (String entry : servers.split(",")) {
            String host = Utils.getHost(entry.trim());
            if (host != null && !host.isEmpty()) {
                hosts.add(host);
            }
        }
        return hosts;
    }

    @PostConstruct
    void start() {
        if (lookUp()) {
            return;
        }
        LOG.warnf("Kafka %s; Kafka clients start once it does (looking again every %d s at most)",
                waitingFor().orElseThrow(), recheck.max().toSeconds());
        lookup = new Thread(this::lookUntilResolved, "kafka-bootstrap-lookup");
        lookup.setDaemon(true);
        lookup.start();
    }

    private void lookUntilResolved() {
        for (int attempt = 0; recheck.pause(attempt); attempt++) {
            if (lookUp()) {
                LOG.infof("Kafka bootstrap servers resolve now; starting the Kafka clients");
                return;
            }
        }
    }

    /** Looks every host up; true (and the held actions run) once one resolves. */
    private boolean lookUp() {
        List<String> missing = hosts.stream().filter(host -> !resolver.resolves(host)).toList();
        unresolved = missing;
        if (!hosts.isEmpty() && missing.size() == hosts.size()) {
            return false;
        }
        List<Runnable> actions;
        synchronized (held) {
            released = true;
            actions = List.copyOf(held);
            held.clear();
        }
        actions.forEach(KafkaBootstrap::run);
        // Only now: whoever awaits the resolution finds the held clients started, not about to be.
        resolved.countDown();
        return true;
    }

    /** Runs {@code action} now if a bootstrap host resolves, else on the lookup thread once one does. */
    public void whenResolvable(Runnable action) {
        synchronized (held) {
            if (!released) {
                held.add(action);
                return;
            }
        }
        run(action);
    }

    /** Waits until a bootstrap host resolves and the clients held until then have started. */
    public void await() throws InterruptedException {
        resolved.await();
    }

    /** What the Kafka clients wait for, e.g. "bootstrap host kafka does not resolve yet"; empty once they may start. */
    public Optional<String> waitingFor() {
        if (resolved.getCount() == 0) {
            return Optional.empty();
        }
        List<String> missing = unresolved;
        return Optional.of(missing.size() == 1 ? "bootstrap host " + missing.get(0) + " does not resolve yet"
                : "bootstrap hosts " + String.join(", ", missing) + " do not resolve yet");
    }

    void resumeChannels(@Observes StartupEvent event, ChannelRegistry channels) {
        whenResolvable(() -> {
            List<String> resumed = new ArrayList<>();
            for (String name : channels.getIncomingNames()) {
                // A channel with concurrency N is N copies, named and paused as name$1 ... name$N.
                resume(channels, name, resumed);
                int copy = 1;
                while (resume(channels, name + "$" + copy, resumed)) {
                    copy++;
                }
            }
            if (!resumed.isEmpty()) {
                LOG.infof("consuming %s", String.join(", ", resumed));
            }
        });
    }

    /** Resumes the channel if it is pausable and paused; false if there is no such pausable channel. */
    private static boolean resume(ChannelRegistry channels, String name, List<String> resumed) {
        PausableChannel channel = channels.getPausable(name);
        if (channel == null) {
            return false;
        }
        if (channel.isPaused()) {
            channel.resume();
            resumed.add(name);
        }
        return true;
    }

    private static void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("starting a Kafka client failed", e);
        }
    }

    @PreDestroy
    void stop() {
        if (lookup != null) {
            lookup.interrupt();
        }
    }
}
