package io.csrflow.scheduler.query;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * The fleet at a glance: counts by status, how many certificates expire on each of the next days
 * and weeks (UTC), the soonest expiry, and the most urgent certificates, all of these for CSRs'
 * certificates (those that get renewal notices); pods' certificates, which the kubelet refreshes
 * every few hours on its own and which would drown the rest in these figures, are summed up apart in
 * {@code podCertificates}. Summaries of several replicas add up ({@link #plus}), as each holds
 * different partitions.
 */
public record FleetSummary(
        Instant computedAt,
        long total,
        Map<CertificateStatus, Long> byStatus,
        List<Bucket> expiringPerDay,
        List<Bucket> expiringPerWeek,
        long expiringLater,
        Instant soonestExpiry,
        List<CertificateView> urgent,
        List<String> incomplete,
        PodCertificates podCertificates) {

    public static final int DAYS = 30;
    public static final int WEEKS = 12;
    public static final int URGENT = 20;
    public static final int OVERDUE_LISTED = 50;

    /** Certificates whose NotAfter falls in [start, start + 1 day or week). */
    public record Bucket(LocalDate start, long count) {
    }

    /**
     * Pods' certificates: how many, by status, how many are overdue (found overdue with their pods
     * running, whether or not they have expired since; status OVERDUE counts those not yet expired),
     * and the overdue ones, the longest overdue first, at most {@link #OVERDUE_LISTED}.
     */
    public record PodCertificates(long total, Map<CertificateStatus, Long> byStatus, long overdue,
            List<CertificateView> overdueCertificates) {

        static final PodCertificates NONE = new PodCertificates(0, zeroes(), 0, List.of());

        PodCertificates plus(PodCertificates other) {
            if (other == null) {
                return this;
            }
            List<CertificateView> both = new ArrayList<>(overdueCertificates);
            both.addAll(other.overdueCertificates);
            trimOverdue(both);
            return new PodCertificates(total + other.total, sum(byStatus, other.byStatus), overdue + other.overdue,
                    List.copyOf(both));
        }
    }

    /** Collects a summary from certificates one at a time. */
    public static final class Builder {
        private final Instant now;
        private final Duration overdueAfter;
        private final LocalDate today;
        private final long[] days = new long[DAYS];
        private final long[] weeks = new long[WEEKS];
        private final EnumMap<CertificateStatus, Long> byStatus = new EnumMap<>(CertificateStatus.class);
        private final List<CertificateView> urgent = new ArrayList<>();
        private final EnumMap<CertificateStatus, Long> podsByStatus = new EnumMap<>(zeroes());
        private final List<CertificateView> podsOverdue = new ArrayList<>();
        private long pods;
        private long podsOverdueCount;
        private long total;
        private long later;
        private Instant soonest;

        public Builder(Instant now, Duration overdueAfter) {
            this.now = now;
            this.overdueAfter = overdueAfter;
            this.today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            for (CertificateStatus s : CertificateStatus.values()) {
                byStatus.put(s, 0L);
            }
        }

        public void add(TrackedCertificate t) {
            if (t.isPodCertificate()) {
                addPod(t);
                return;
            }
            total++;
            CertificateStatus status = t.status(now, overdueAfter);
            byStatus.merge(status, 1L, Long::sum);
            if (status != CertificateStatus.EXPIRED) {
                long day = ChronoUnit.DAYS.between(today, LocalDate.ofInstant(t.notAfter(), ZoneOffset.UTC));
                if (day < DAYS) {
                    days[(int) day]++;
                }
                if (day / 7 < WEEKS) {
                    weeks[(int) (day / 7)]++;
                } else {
                    later++;
                }
                if (soonest == null || t.notAfter().isBefore(soonest)) {
                    soonest = t.notAfter();
                }
            }
            if (status != CertificateStatus.SCHEDULED) {
                urgent.add(CertificateView.of(t, now, overdueAfter));
                if (urgent.size() > URGENT * 4) {
                    trimUrgent(urgent);
                }
            }
        }

        private void addPod(TrackedCertificate t) {
            pods++;
            podsByStatus.merge(t.status(now, overdueAfter), 1L, Long::sum);
            if (t.overdueSince() != null) {
                podsOverdueCount++;
                podsOverdue.add(CertificateView.of(t, now, overdueAfter));
                if (podsOverdue.size() > OVERDUE_LISTED * 4) {
                    trimOverdue(podsOverdue);
                }
            }
        }

        public FleetSummary build() {
            List<Bucket> dayBuckets = new ArrayList<>();
            for (int i = 0; i < DAYS; i++) {
                dayBuckets.add(new Bucket(today.plusDays(i), days[i]));
            }
            List<Bucket> weekBuckets = new ArrayList<>();
            for (int i = 0; i < WEEKS; i++) {
                weekBuckets.add(new Bucket(today.plusWeeks(i), weeks[i]));
            }
            trimUrgent(urgent);
            trimOverdue(podsOverdue);
            return new FleetSummary(now, total, Map.copyOf(byStatus), dayBuckets, weekBuckets, later, soonest,
                    List.copyOf(urgent), List.of(), new PodCertificates(pods, Map.copyOf(podsByStatus),
                            podsOverdueCount, List.copyOf(podsOverdue)));
        }
    }

    /** This summary and another replica's, as one. */
    public FleetSummary plus(FleetSummary other) {
        List<CertificateView> both = new ArrayList<>(urgent);
        both.addAll(other.urgent);
        trimUrgent(both);
        Instant earliest = soonestExpiry == null ? other.soonestExpiry
                : other.soonestExpiry == null || soonestExpiry.isBefore(other.soonestExpiry) ? soonestExpiry
                        : other.soonestExpiry;
        List<String> gaps = new ArrayList<>(incomplete);
        gaps.addAll(other.incomplete);
        // A replica of an earlier version answers without podCertificates: it tracks none.
        return new FleetSummary(computedAt, total + other.total, sum(byStatus, other.byStatus),
                add(expiringPerDay, other.expiringPerDay), add(expiringPerWeek, other.expiringPerWeek),
                expiringLater + other.expiringLater, earliest, List.copyOf(both), List.copyOf(gaps),
                pods().plus(other.podCertificates));
    }

    /** The pods' certificates part; none from a replica of an earlier version. */
    private PodCertificates pods() {
        return podCertificates == null ? PodCertificates.NONE : podCertificates;
    }

    /** The same summary, noting replicas that did not answer. */
    public FleetSummary withIncomplete(List<String> missing) {
        List<String> gaps = new ArrayList<>(incomplete);
        gaps.addAll(missing);
        return new FleetSummary(computedAt, total, byStatus, expiringPerDay, expiringPerWeek, expiringLater,
                soonestExpiry, urgent, List.copyOf(gaps), pods());
    }

    private static Map<CertificateStatus, Long> zeroes() {
        EnumMap<CertificateStatus, Long> counts = new EnumMap<>(CertificateStatus.class);
        for (CertificateStatus s : CertificateStatus.values()) {
            counts.put(s, 0L);
        }
        return counts;
    }

    private static Map<CertificateStatus, Long> sum(Map<CertificateStatus, Long> a, Map<CertificateStatus, Long> b) {
        Map<CertificateStatus, Long> statuses = new EnumMap<>(zeroes());
        a.forEach((k, v) -> statuses.merge(k, v, Long::sum));
        b.forEach((k, v) -> statuses.merge(k, v, Long::sum));
        return Map.copyOf(statuses);
    }

    private static List<Bucket> add(List<Bucket> a, List<Bucket> b) {
        List<Bucket> sum = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            sum.add(new Bucket(a.get(i).start(), a.get(i).count() + (i < b.size() ? b.get(i).count() : 0)));
        }
        return sum;
    }

    /** The longest overdue first: earliest beginRefreshAt, then identity. */
    private static void trimOverdue(List<CertificateView> views) {
        views.sort(Comparator.comparing(CertificateView::beginRefreshAt).thenComparing(CertificateView::identity));
        while (views.size() > OVERDUE_LISTED) {
            views.remove(views.size() - 1);
        }
    }

    /** Most urgent first: expired, then overdue, then due; earliest NotAfter first within each. */
    private static void trimUrgent(List<CertificateView> views) {
        views.sort(Comparator.comparing((CertificateView v) -> -v.status().ordinal())
                .thenComparing(CertificateView::notAfter).thenComparing(CertificateView::identity));
        while (views.size() > URGENT) {
            views.remove(views.size() - 1);
        }
    }
}
