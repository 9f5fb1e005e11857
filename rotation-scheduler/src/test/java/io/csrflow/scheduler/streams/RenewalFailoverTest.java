package io.csrflow.scheduler.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventType;
import io.csrflow.events.RenewalDue;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.DeadlinePolicy;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.testsupport.EventProbe;

/**
 * Restarts and replicas: state comes back from the changelogs (each new instance starts with an
 * empty state directory), and no notice is sent twice or lost, as consumers reading committed
 * records see it.
 */
class RenewalFailoverTest {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static final Duration LIFETIME = Duration.ofDays(10);

    private SchedulerHarness harness;

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aRestartInTheMiddleOfTheScheduleNeitherLosesNorRepeatsANotice() {
        harness = new SchedulerHarness(T0, 3);
        EventProbe<RenewalDue> renewals = harness.renewals();
        SchedulerStreams first = harness.start(NodeDirectory.NONE);
        List<CertIssued> certs = send(30, "restart");
        awaitTracked(List.of(first), certs);

        Instant midway = T0.plus(Duration.ofDays(8));
        long dueByMidway = certs.stream().filter(c -> !deadline(c).isAfter(midway)).count();
        harness.clock.set(midway);
        await().atMost(Duration.ofSeconds(30)).until(() -> dueNotices(renewals).size() == dueByMidway);

        first.close();
        harness.clock.set(T0.plus(Duration.ofDays(9)));
        harness.start(NodeDirectory.NONE); // new, empty state directory: restored from the changelogs

        await().atMost(Duration.ofSeconds(60)).until(() -> dueNotices(renewals).size() >= certs.size());
        quiet();
        assertEquals(certs.size(), dueNotices(renewals).size());
        assertNoNoticeTwice(renewals);
        assertFalse(dueByMidway == 0 || dueByMidway == certs.size(), "the restart must fall mid-schedule");
    }

    @Test
    void twoInstancesShareThePartitionsAndEachNoticeLeavesOnce() {
        harness = new SchedulerHarness(T0, 6);
        EventProbe<RenewalDue> renewals = harness.renewals();
        SchedulerStreams a = harness.startNoWait(NodeDirectory.NONE);
        SchedulerStreams b = harness.startNoWait(NodeDirectory.NONE);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.status().running() && b.status().running()
                && activeTasks(a) > 0 && activeTasks(b) > 0);
        // Two sub-topologies (decoding csr.observed; the inventory) of six partitions each.
        assertEquals(12, activeTasks(a) + activeTasks(b), "the tasks are split between the two");

        List<CertIssued> certs = send(60, "pair");
        awaitTracked(List.of(a, b), certs);
        harness.clock.set(T0.plus(Duration.ofDays(9)));
        await().atMost(Duration.ofSeconds(30)).until(() -> dueNotices(renewals).size() >= certs.size());

        // One replica leaves: the other takes its partitions over and sends the first reminders.
        a.close();
        harness.clock.advance(SchedulerHarness.FIRST_REMINDER);
        await().atMost(Duration.ofSeconds(60)).until(() -> renewals.received().size() >= 2 * certs.size());
        quiet();
        assertEquals(2 * certs.size(), renewals.received().size());
        assertNoNoticeTwice(renewals);
    }

    private List<CertIssued> send(int count, String prefix) {
        List<CertIssued> certs = IntStream.range(0, count).mapToObj(i -> TestCertificates.issued(prefix + "-" + i,
                Integer.toHexString(0x1000 + i * 7919), T0, T0.plus(LIFETIME), T0)).toList();
        certs.forEach(c -> harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), c));
        return certs;
    }

    private static Instant deadline(CertIssued c) {
        return new DeadlinePolicy.KubeletJitter().deadline(c.serial(), c.notBefore(), c.notAfter());
    }

    private static void awaitTracked(List<SchedulerStreams> instances, List<CertIssued> certs) {
        await().atMost(Duration.ofSeconds(30)).until(() -> certs.stream().allMatch(c -> instances.stream()
                .anyMatch(i -> i.localInventory().get(c.identity().key())
                        .isPresent())));
    }

    private static int activeTasks(SchedulerStreams instance) {
        return instance.streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    private static List<RenewalDue> dueNotices(EventProbe<RenewalDue> renewals) {
        return renewals.matching(r -> r.reason() == RenewalReason.DUE);
    }

    private static void assertNoNoticeTwice(EventProbe<RenewalDue> renewals) {
        Map<String, Long> counts = renewals.received().stream().map(EventProbe.Received::data)
                .collect(Collectors.groupingBy(r -> r.identity().key() + " notice " + r.notice(), Collectors.counting()));
        Map<String, Long> repeated = counts.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), repeated, "notices sent more than once");
    }

    private static void quiet() {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
