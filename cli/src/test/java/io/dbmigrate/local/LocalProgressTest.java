package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.TransitionEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalProgressTest {
    private static String shown(String written) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream progress = LocalProgress.to(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        progress.print(written);
        progress.close();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void escapeCodesAreDropped() {
        assertEquals("dbmigrate: alembic: NameError: boom\nplain text\n",
                shown("alembic: \u001B[1;35mNameError\u001B[0m: boom\n\u001B[31mplain text\u001B[0m\n"));
    }

    @Test
    void aPodsKeyValueRecordIsSaidInTheLocalStyle() {
        assertEquals("dbmigrate: warn: lock_timeout, retrying (attempt 2, attempts 11, holder \"pid 42 (psql)\")\n",
                shown("time=2026-12-05T05:00:00.123Z level=warn msg=\"lock_timeout, retrying\" attempt=2 attempts=11 "
                        + "holder=\"\\\"pid 42 (psql)\\\"\"\n"));
        assertEquals("dbmigrate: rehearsal: archive restored (database scratch_1)\n",
                shown("time=2026-12-05T05:00:00.123Z level=info msg=\"rehearsal: archive restored\" database=scratch_1\n"));
    }

    @Test
    void alembicsLogLinesArePlain() {
        assertEquals("""
        dbmigrate: applying xyz789uvw012 (Create the base CRM tables)
        dbmigrate:   computed_score backfilled for 0 customers
        dbmigrate: reverting abc123def456 (Add customer preferences field)
        dbmigrate: alembic warning: something odd
        """, shown("""
                alembic: INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
                alembic: INFO  [alembic.runtime.migration] Will assume transactional DDL.
                alembic: INFO  [alembic.runtime.migration] Running upgrade  -> xyz789uvw012, Create the base CRM tables
                alembic: INFO  [alembic.versions.stu901vwx234] computed_score backfilled for 0 customers
                alembic: INFO  [alembic.runtime.migration] Running downgrade abc123def456 -> xyz789uvw012, Add customer preferences field
                alembic: WARNING [alembic.env] something odd
                """));
  }

  @Test
  void aTracebackAtTheEndOfTheStreamIsCutToTheUsersFrameAndTheException() {
    assertEquals("""
                dbmigrate: alembic raised in /app/versions/a1_add.py, line 12, in upgrade: op.execute(sa.text("x"))
                dbmigrate:   NameError: name 'sa' is not defined
                dbmigrate:   (traceback of 8 lines cut to the frame and the exception)
                """, shown("""
                alembic: Traceback (most recent call last):
                alembic:   File "/usr/bin/alembic", line 33, in <module>
                alembic:     sys.exit(load_entry_point('alembic==1.8.1', 'console_scripts', 'alembic')())
                alembic:   File "/app/versions/a1_add.py", line 12, in upgrade
                alembic:     op.execute(sa.text("x"))
                alembic:   File "/usr/lib/python3/dist-packages/alembic/operations/base.py", line 399, in invoke
                alembic:     return fn(self, operation)
                alembic: NameError: name 'sa' is not defined
                """));
  }

  @Test
  void eventsAlreadySaidInLocalWordsAreLeftOut() {
    assertEquals(Optional.empty(), LocalProgress.event(new TransitionEvent(TransitionEvent.Type.Normal,
        Reasons.JOB_CREATED, "Created Job crm-g1-79be3: backup to crm-backups, then upgrade to head")));
    assertEquals(Optional.of("dbmigrate: Succeeded: Upgraded base -> abc: applied 2 revisions"),
        LocalProgress.event(new TransitionEvent(TransitionEvent.Type.Normal, Reasons.SUCCEEDED,
            "Upgraded base -> abc: applied 2 revisions")));
  }
}
