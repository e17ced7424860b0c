package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.LockHold;
import io.dbmigrate.contract.LockMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * rehearsal.maxLockHold: the longest each lock mode may be held on any relation. A mode without its own budget has
 * the budget of the nearest weaker mode that has one (a limit on SHARE also limits EXCLUSIVE, which blocks more);
 * modes weaker than every budgeted one are not limited.
 */
record LockBudget(Map<LockMode, Duration> max) {

    LockBudget {
        max = Map.copyOf(max);
    }

    boolean isEmpty() {
        return max.isEmpty();
    }

    /** The mode whose budget applies to {@code mode}: itself, or the nearest weaker one with a budget. */
    Optional<LockMode> budgetedBy(LockMode mode) {
        for (int i = mode.ordinal(); i >= 0; i--) {
            LockMode weaker = LockMode.values()[i];
            if (max.containsKey(weaker)) {
                return Optional.of(weaker);
            }
        }
        return Optional.empty();
    }

    /** A hold over its budget, when there is one: the one furthest over it (by ratio), the stronger mode if equal. */
    Optional<LockHold> worstExcess(List<LockHold> holds) {
        LockHold worst = null;
        double worstRatio = 1;
        for (LockHold h : holds) {
            if (h.mode() == null) {
                continue;
            }
            Optional<LockMode> by = budgetedBy(h.lockMode());
            if (by.isEmpty()) {
                continue;
            }
            long budget = max.get(by.get()).toMillis();
            if (h.holdMillis() <= budget) {
                continue;
            }
            double ratio = budget == 0 ? Double.MAX_VALUE : (double) h.holdMillis() / budget;
            // When equal: the stronger mode, then a named relation over a rewrite's transient one ("oid N").
            if (worst == null || ratio > worstRatio || (ratio == worstRatio
                    && (h.lockMode().compareTo(worst.lockMode()) > 0 || (h.lockMode() == worst.lockMode()
                    && worst.relation().startsWith("oid ") && !h.relation().startsWith("oid "))))) {
                worst = h;
                worstRatio = ratio;
            }
        }
        return Optional.ofNullable(worst);
    }

    /** For people: which revision held what, how long, and the budget it broke. */
    String describe(LockHold h) {
        LockMode by = budgetedBy(h.lockMode()).orElseThrow();
        return "revision " + (h.revision() == null ? "(before the first revision)" : h.revision()) + " held "
                + h.lockMode().sql() + " on " + h.relation() + " for "
                + Durations.format(Duration.ofMillis(h.holdMillis())) + ", over the budget of "
                + Durations.format(max.get(by)) + " (rehearsal.maxLockHold." + by.name()
                + (by == h.lockMode() ? "" : ", which applies to stronger modes without their own") + ")"
                + (Boolean.TRUE.equals(h.rewritten()) ? "; the table was rewritten" : "");
    }
}
