package io.dbmigrate.runner;

import static io.dbmigrate.contract.LockMode.AccessExclusive;
import static io.dbmigrate.contract.LockMode.Exclusive;
import static io.dbmigrate.contract.LockMode.RowExclusive;
import static io.dbmigrate.contract.LockMode.Share;
import static io.dbmigrate.contract.LockMode.ShareRowExclusive;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dbmigrate.contract.LockHold;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LockBudgetTest {

    private final LockBudget budget = new LockBudget(Map.of(AccessExclusive, Duration.ofSeconds(2),
            Share, Duration.ofSeconds(30)));

    private static LockHold hold(String mode, long millis) {
        return new LockHold("public.t", mode, millis, "0002_a", true, null);
    }

    @Test
    void aModeWithoutItsOwnBudgetHasTheNearestWeakerOnesAndWeakerModesHaveNone() {
        assertEquals(Optional.of(AccessExclusive), budget.budgetedBy(AccessExclusive));
        assertEquals(Optional.of(Share), budget.budgetedBy(Exclusive));
        assertEquals(Optional.of(Share), budget.budgetedBy(ShareRowExclusive));
        assertEquals(Optional.empty(), budget.budgetedBy(RowExclusive));
    }

    @Test
    void onlyAHoldOverItsBudgetCountsAndTheOneFurthestOverIsNamed() {
        LockHold exclusive = hold("Exclusive", 40_000);       // 1.33 x Share's 30s
        LockHold accessExclusive = hold("AccessExclusive", 5_000); // 2.5 x 2s
        assertEquals(Optional.empty(), budget.worstExcess(List.of(hold("AccessExclusive", 2_000),
                hold("Share", 30_000), hold("RowExclusive", 900_000))));
        assertEquals(Optional.of(exclusive), budget.worstExcess(List.of(exclusive, hold("AccessExclusive", 1))));
        assertEquals(Optional.of(accessExclusive), budget.worstExcess(List.of(exclusive, accessExclusive)));
    }

    @Test
    void theMessageNamesRevisionModeRelationTimeAndTheBudget() {
        assertEquals("revision 0002_a held ACCESS EXCLUSIVE on public.t for 5s, over the budget of 2s"
                + " (rehearsal.maxLockHold.AccessExclusive); the table was rewritten",
                budget.describe(hold("AccessExclusive", 5_000)));
        assertEquals("revision 0002_a held SHARE ROW EXCLUSIVE on public.t for 31.5s, over the budget of 30s"
                + " (rehearsal.maxLockHold.Share, which applies to stronger modes without their own); the table was"
                + " rewritten", budget.describe(hold("ShareRowExclusive", 31_500)));
    }
}
