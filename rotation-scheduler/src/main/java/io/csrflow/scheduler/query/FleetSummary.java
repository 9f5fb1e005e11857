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
 * and weeks (UTC), the soonest expiry, and the most urgent certificates. Summaries of several
 * replicas add up ({@link #plus}), as each holds different partitions.
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
        List<String> incomplete) {

    public static final int DAYS = 30;
    public static final int WEEKS = 12;
    public static final int URGENT = 20;

    /** Certificates whose NotAfter falls in [start, start + 1 day or week). */
    public record Bucket(LocalDate start, long count) {
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
            return new FleetSummary(now, total, Map.copyOf(byStatus), dayBuckets, weekBuckets, later, soonest,
                    List.copyOf(urgent), List.of());
        }
    }

    /** This summary and another replica's, as one. */
    public FleetSummary plus(FleetSummary other) {
        Map<CertificateStatus, Long> statuses = new EnumMap<>(byStatus);
        other.byStatus.forEach((k, v) -> statuses.merge(k, v, Long::sum));
        List<CertificateView> both = new ArrayList<>(urgent);
        both.addAll(other.urgent);
        trimUrgent(both);
        Instant earliest = soonestExpiry == null ? other.soonestExpiry
                : other.soonestExpiry == null || soonestExpiry.isBefore(other.soonestExpiry) ? soonestExpiry
                        : other.soonestExpiry;
        List<String> gaps = new ArrayList<>(incomplete);
        gaps.addAll(other.incomplete);
        return new FleetSummary(computedAt, total + other.total, Map.copyOf(statuses),
                add(expiringPerDay, other.expiringPerDay), add(expiringPerWeek, other.expiringPerWeek),
                expiringLater + other.expiringLater, earliest, List.copyOf(both), List.copyOf(gaps));
    }

    /** The same summary, noting replicas that did not answer. */
    public FleetSummary withIncomplete(List<String> missing) {
        List<String> gaps = new ArrayList<>(incomplete);
        gaps.addAll(missing);
        return new FleetSummary(computedAt, total, byStatus, expiringPerDay, expiringPerWeek, expiringLater,
                soonestExpiry, urgent, List.copyOf(gaps));
    }

    private static List<Bucket> add(List<Bucket> a, List<Bucket> b) {
        List<Bucket> sum = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            sum.add(new Bucket(a.get(i).start(), a.get(i).count() + (i < b.size() ? b.get(i).count() : 0)));
        }
        return sum;
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
