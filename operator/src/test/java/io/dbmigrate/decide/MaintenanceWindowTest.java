package io.dbmigrate.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.decide.MaintenanceWindow.Opening;
import io.dbmigrate.decide.MaintenanceWindow.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MaintenanceWindowTest {
    // Saturdays 02:00 Berlin time for 2h. 2026-11-28 is a Saturday in winter (CET, UTC+1): open 01:00Z-03:00Z.
    private static final MaintenanceWindow SATURDAY = MaintenanceWindow.parse("0 2 * * 6", "2h", "Europe/Berlin");
    private static final Instant OPENS = Instant.parse("2026-11-28T01:00:00Z");
    private static final Instant CLOSES = Instant.parse("2026-11-28T03:00:00Z");
    private static final Instant NEXT_WEEK = Instant.parse("2026-12-05T01:00:00Z");

    private static Instant at(String text) {
        return Instant.parse(text);
    }

    @Test
    void insideTheWindowItIsOpenUntilItsClose() {
        Instant now = at("2026-11-28T02:00:00Z");
        assertEquals(Optional.of(new Opening(OPENS, CLOSES)), SATURDAY.current(now));
        Verdict verdict = SATURDAY.check(now, null);
        assertTrue(verdict.open());
        assertEquals(CLOSES, verdict.closesAt());
        assertEquals(NEXT_WEEK, verdict.nextOpensAt());
        assertEquals("the maintenance window (0 2 * * 6, 2h, Europe/Berlin) is open until 2026-11-28T03:00:00Z",
                verdict.reason());
    }

    @Test
    void beforeTheWindowItIsClosedAndSaysWhenItOpens() {
        Instant now = at("2026-11-28T00:59:59Z");
        assertEquals(Optional.empty(), SATURDAY.current(now));
        Verdict verdict = SATURDAY.check(now, null);
        assertFalse(verdict.open());
        assertNull(verdict.closesAt());
        assertEquals(OPENS, verdict.nextOpensAt());
        assertEquals("the maintenance window (0 2 * * 6, 2h, Europe/Berlin) opens at 2026-11-28T01:00:00Z",
                verdict.reason());
    }

    @Test
    void theOpeningInstantIsInsideAndTheClosingInstantOutside() {
        assertEquals(Optional.of(new Opening(OPENS, CLOSES)), SATURDAY.current(OPENS));
        assertTrue(SATURDAY.check(OPENS, null).open());
        assertEquals(Optional.empty(), SATURDAY.current(OPENS.minusNanos(1)));

        assertEquals(Optional.of(new Opening(OPENS, CLOSES)), SATURDAY.current(CLOSES.minusNanos(1)));
        assertEquals(Optional.empty(), SATURDAY.current(CLOSES));
        Verdict after = SATURDAY.check(CLOSES, null);
        assertFalse(after.open());
        assertEquals(NEXT_WEEK, after.nextOpensAt());
    }

    @Test
    void theNextOpeningIsStrictlyAfterNowAcrossTheWeek() {
        assertEquals(Optional.of(NEXT_WEEK), SATURDAY.nextOpening(at("2026-11-29T12:00:00Z")));
        // While open: the opening after the current one; exactly at an opening: the following one.
        assertEquals(Optional.of(NEXT_WEEK), SATURDAY.nextOpening(at("2026-11-28T01:30:00Z")));
        assertEquals(Optional.of(NEXT_WEEK), SATURDAY.nextOpening(OPENS));
        assertEquals(Optional.of(OPENS), SATURDAY.nextOpening(OPENS.minusSeconds(1)));
    }

    @Test
    void theScheduleIsLocalTimeOfTheZoneOneHourOffUtcInWinterTwoInSummer() {
        MaintenanceWindow utc = MaintenanceWindow.parse("0 2 * * *", "1h", "UTC");
        MaintenanceWindow berlin = MaintenanceWindow.parse("0 2 * * *", "1h", "Europe/Berlin");
        Instant winter = at("2026-01-15T00:00:30Z");
        Instant summer = at("2026-07-15T00:00:30Z");
        assertEquals(Optional.of(at("2026-01-15T02:00:00Z")), utc.nextOpening(winter));
        assertEquals(Optional.of(at("2026-01-15T01:00:00Z")), berlin.nextOpening(winter));
        assertEquals(Optional.of(at("2026-07-15T02:00:00Z")), utc.nextOpening(summer));
        // 02:00 CEST is midnight UTC: at 00:00:30Z the summer window has just opened.
        assertEquals(Optional.of(new Opening(at("2026-07-15T00:00:00Z"), at("2026-07-15T01:00:00Z"))),
                berlin.current(summer));
        assertEquals(Optional.empty(), utc.current(summer));
    }

    @Test
    void withoutATimeZoneTheScheduleIsUtc() {
        for (String zone : new String[] {null, "", "  "}) {
            MaintenanceWindow w = MaintenanceWindow.parse("0 2 * * *", "1h", zone);
            assertEquals(Optional.of(at("2026-07-15T02:00:00Z")), w.nextOpening(at("2026-07-15T00:00:00Z")));
            assertEquals("(0 2 * * *, 1h, UTC)", w.describe());
        }
    }

    @Test
    void onTheSpringForwardDayALocalTimeTheClockSkipsOpensAtTheJump() {
        // Europe/Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z). 02:00 and 02:30 do not exist that day.
        MaintenanceWindow twoAm = MaintenanceWindow.parse("0 2 * * *", "2h", "Europe/Berlin");
        Instant jump = at("2026-03-29T01:00:00Z");
        assertEquals(Optional.of(jump), twoAm.nextOpening(at("2026-03-28T12:00:00Z")));
        assertEquals(Optional.of(new Opening(jump, at("2026-03-29T03:00:00Z"))), twoAm.current(at("2026-03-29T01:30:00Z")));
        assertEquals(Optional.of(at("2026-03-30T00:00:00Z")), twoAm.nextOpening(jump)); // 02:00 CEST again
        assertEquals(Optional.of(jump), MaintenanceWindow.parse("30 2 * * *", "2h", "Europe/Berlin")
                .nextOpening(at("2026-03-28T12:00:00Z")));
        // The day before, in winter time: 02:00 CET.
        assertEquals(Optional.of(new Opening(at("2026-03-28T01:00:00Z"), at("2026-03-28T03:00:00Z"))),
                twoAm.current(at("2026-03-28T02:59:59Z")));
    }

    @Test
    void onTheFallBackDayALocalTimeThatHappensTwiceOpensOnceTheFirstTime() {
        // Europe/Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00Z); 02:30 happens at 00:30Z and 01:30Z.
        MaintenanceWindow w = MaintenanceWindow.parse("30 2 * * *", "30m", "Europe/Berlin");
        assertEquals(Optional.of(at("2026-10-25T00:30:00Z")), w.nextOpening(at("2026-10-24T12:00:00Z")));
        assertEquals(Optional.of(at("2026-10-26T01:30:00Z")), w.nextOpening(at("2026-10-25T00:30:00Z")));
        assertEquals(Optional.of(new Opening(at("2026-10-25T00:30:00Z"), at("2026-10-25T01:00:00Z"))),
                w.current(at("2026-10-25T00:45:00Z")));
        assertEquals(Optional.empty(), w.current(at("2026-10-25T01:45:00Z")));
        Verdict second = w.check(at("2026-10-25T01:30:00Z"), null);
        assertFalse(second.open());
        assertEquals(at("2026-10-26T01:30:00Z"), second.nextOpensAt());
        // Several openings in the repeated hour: only the first pass opens.
        MaintenanceWindow quarters = MaintenanceWindow.parse("*/15 2 * * *", "10m", "Europe/Berlin");
        assertEquals(Optional.of(new Opening(at("2026-10-25T00:45:00Z"), at("2026-10-25T00:55:00Z"))),
                quarters.current(at("2026-10-25T00:50:00Z")));
        assertEquals(Optional.empty(), quarters.current(at("2026-10-25T01:20:00Z")));
        assertEquals(Optional.of(at("2026-10-26T01:00:00Z")), quarters.nextOpening(at("2026-10-25T00:45:00Z")));
    }

    @Test
    void tooLittleLeftForTheExpectedDurationIsClosedUntilTheNextOpening() {
        Instant now = at("2026-11-28T02:48:00Z");
        Verdict verdict = SATURDAY.check(now, Duration.ofMinutes(40));
        assertFalse(verdict.open());
        assertEquals(CLOSES, verdict.closesAt());
        assertEquals(NEXT_WEEK, verdict.nextOpensAt());
        assertEquals("only 12m left in the maintenance window (0 2 * * 6, 2h, Europe/Berlin) that closes at "
                + "2026-11-28T03:00:00Z, the step is expected to take 40m; the next one opens at 2026-12-05T01:00:00Z",
                verdict.reason());
        // Exactly what is left is enough.
        assertTrue(SATURDAY.check(now, Duration.ofMinutes(12)).open());
        assertFalse(SATURDAY.check(now, Duration.ofMinutes(12).plusSeconds(1)).open());
    }

    @Test
    void overlappingAndTouchingWindowsMerge() {
        MaintenanceWindow w = MaintenanceWindow.parse("0 1,2 * * *", "90m", "UTC");
        Instant now = at("2026-05-05T01:10:00Z");
        assertEquals(Optional.of(new Opening(at("2026-05-05T01:00:00Z"), at("2026-05-05T03:30:00Z"))), w.current(now));
        Verdict verdict = w.check(now, Duration.ofHours(2));
        assertTrue(verdict.open());
        assertEquals(at("2026-05-06T01:00:00Z"), verdict.nextOpensAt());

        // Every 2h for 2h: never closes; followed a week ahead.
        MaintenanceWindow always = MaintenanceWindow.parse("0 */2 * * *", "2h", "UTC");
        Opening opening = always.current(at("2026-05-05T01:10:00Z")).orElseThrow();
        assertEquals(at("2026-05-05T00:00:00Z"), opening.opensAt());
        assertFalse(opening.closesAt().isBefore(at("2026-05-12T01:10:00Z")), opening.toString());
    }

    @Test
    void macrosAreTheSchedulesKubernetesCronJobsTake() {
        Instant now = at("2026-11-25T12:00:00Z"); // a Wednesday
        assertEquals(Optional.of(at("2026-11-26T00:00:00Z")), nextOpening("@daily", now));
        assertEquals(Optional.of(at("2026-11-26T00:00:00Z")), nextOpening("@midnight", now));
        assertEquals(Optional.of(at("2026-11-29T00:00:00Z")), nextOpening("@weekly", now)); // Sunday
        assertEquals(Optional.of(at("2026-12-01T00:00:00Z")), nextOpening("@monthly", now));
        assertEquals(Optional.of(at("2027-01-01T00:00:00Z")), nextOpening("@yearly", now));
        assertEquals(Optional.of(at("2027-01-01T00:00:00Z")), nextOpening("@annually", now));
        assertEquals(Optional.of(at("2026-11-25T13:00:00Z")), nextOpening("@hourly", now));
        assertEquals("(@daily, 1h, UTC)", MaintenanceWindow.parse("@daily", "1h", null).describe());
    }

    @Test
    void durationsAreGoStyle() {
        Instant opens = at("2026-11-26T00:00:00Z");
        assertEquals(Optional.of(new Opening(opens, opens.plusSeconds(5400))),
                MaintenanceWindow.parse("@daily", "1h30m", null).current(opens));
        assertEquals(Optional.of(new Opening(opens, opens.plusSeconds(5400))),
                MaintenanceWindow.parse("@daily", "90m", null).current(opens));
        assertEquals(Optional.of(new Opening(opens, opens.plusSeconds(45))),
                MaintenanceWindow.parse("@daily", "45s", null).current(opens));
        assertEquals(List.of(), MaintenanceWindow.problems("@daily", "168h", null));
    }

    @Test
    void invalidFieldsAreRefusedWithMessagesNamingTheField() {
        assertMessageStarts("gate.window.schedule '0 2 * *' is not a cron expression: ", "0 2 * *", "2h", "UTC");
        assertMessageStarts("gate.window.schedule '61 2 * * *' is not a cron expression: ", "61 2 * * *", "2h", "UTC");
        assertMessageStarts("gate.window.schedule '@reboot' is not a cron expression: ", "@reboot", "2h", "UTC");
        assertMessageStarts("gate.window.schedule is required", null, "2h", "UTC");
        assertMessageStarts("gate.window.schedule is required", " ", "2h", "UTC");
        assertMessageStarts("gate.window.duration '2 hours' is not a duration", "0 2 * * 6", "2 hours", "UTC");
        assertMessageStarts("gate.window.duration '-1h' is not a duration", "0 2 * * 6", "-1h", "UTC");
        assertMessageStarts("gate.window.duration is required", "0 2 * * 6", null, "UTC");
        assertMessageStarts("gate.window.duration '0s' must be more than 0 and at most 168h", "0 2 * * 6", "0s", "UTC");
        assertMessageStarts("gate.window.duration '169h' must be more than 0 and at most 168h", "0 2 * * 6", "169h", "UTC");
        assertMessageStarts("gate.window.timeZone 'Mars/Olympus' is not a time zone: ", "0 2 * * 6", "2h", "Mars/Olympus");

        List<String> all = MaintenanceWindow.problems("0 2 * *", "2 hours", "Mars/Olympus");
        assertEquals(3, all.size(), all.toString());
        assertTrue(all.get(0).startsWith("gate.window.schedule"), all.toString());
        assertTrue(all.get(1).startsWith("gate.window.duration"), all.toString());
        assertTrue(all.get(2).startsWith("gate.window.timeZone"), all.toString());
        assertEquals(List.of(), MaintenanceWindow.problems("0 2 * * 6", "2h", "Europe/Berlin"));
    }

    @Test
    void aScheduleThatNeverFiresIsAProblem() {
        assertEquals(List.of("gate.window.schedule '0 0 30 2 *' never opens: no date matches it"),
                MaintenanceWindow.problems("0 0 30 2 *", "1h", "UTC"));
        assertEquals(List.of("gate.window.schedule '0 0 31 4,6,9,11 *' never opens: no date matches it"),
                MaintenanceWindow.problems("0 0 31 4,6,9,11 *", "1h", "Europe/Berlin"));
        assertMessageStarts("gate.window.schedule '0 0 30 2 *' never opens", "0 0 30 2 *", "1h", "UTC");
        // Rare is not never: 29 February opens in leap years. Day of month or day of week, as in Unix cron.
        assertEquals(Optional.of(at("2028-02-29T00:00:00Z")),
                MaintenanceWindow.parse("0 0 29 2 *", "1h", "UTC").nextOpening(at("2026-01-01T00:00:00Z")));
        assertEquals(Optional.of(at("2026-02-02T00:00:00Z")), // the first Monday in February
                MaintenanceWindow.parse("0 0 30 2 1", "1h", "UTC").nextOpening(at("2026-01-01T00:00:00Z")));
    }

    private static Optional<Instant> nextOpening(String schedule, Instant now) {
        return MaintenanceWindow.parse(schedule, "1m", null).nextOpening(now);
    }

    private static void assertMessageStarts(String prefix, String schedule, String duration, String zone) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaintenanceWindow.parse(schedule, duration, zone));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }
}
