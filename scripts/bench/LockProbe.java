import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The application of scripts/bench/lock-profile.sh: waits for Alembic's session on a rehearsal's scratch database,
 * then runs single-row SELECTs and UPDATEs of table big there, one after the other, timing each, until that session is
 * gone. Prints "longestMs=N statements=N": the longest any one statement took, i.e. how long the application was
 * blocked. Connection from PGHOST, PGPORT, PGUSER, PGPASSWORD; argument 1: the number of rows in big.
 */
public final class LockProbe {
    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[0]);
        String server = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT") + "/";
        String user = System.getenv("PGUSER");
        String password = System.getenv("PGPASSWORD");
        String scratch = null;
        try (Connection admin = DriverManager.getConnection(server + "postgres", user, password);
             PreparedStatement find = admin.prepareStatement("select datname from pg_stat_activity where "
                     + "application_name = 'dbmigrate-alembic' and datname like 'dbmigrate\\_rehearsal\\_%'")) {
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (scratch == null && System.nanoTime() < deadline) {
                try (ResultSet rs = find.executeQuery()) {
                    scratch = rs.next() ? rs.getString(1) : null;
                }
                if (scratch == null) {
                    Thread.sleep(1);
                }
            }
        }
        if (scratch == null) {
            System.out.println("longestMs=-1 statements=0 (no Alembic session seen)");
            return;
        }
        long longest = 0;
        long statements = 0;
        try (Connection app = DriverManager.getConnection(server + scratch, user, password);
             Connection watch = DriverManager.getConnection(server + scratch, user, password);
             PreparedStatement select = app.prepareStatement("select n from big where id = ?");
             PreparedStatement update = app.prepareStatement("update big set note = note where id = ?");
             PreparedStatement alembic = watch.prepareStatement("select count(*) from pg_stat_activity where "
                     + "application_name = 'dbmigrate-alembic' and datname = current_database()")) {
            long lastCheck = 0;
            while (true) {
                long now = System.nanoTime();
                if (now - lastCheck > 20_000_000L) { // is Alembic still at work?
                    lastCheck = now;
                    try (ResultSet rs = alembic.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            break;
                        }
                    }
                }
                PreparedStatement st = statements % 2 == 0 ? select : update;
                st.setLong(1, ThreadLocalRandom.current().nextLong(1, rows + 1));
                long start = System.nanoTime();
                st.execute();
                longest = Math.max(longest, System.nanoTime() - start);
                statements++;
            }
        } catch (SQLException e) {
            // The runner drops the copy WITH (FORCE) when it is done: the end of the run, not a failure.
        }
        System.out.println("longestMs=" + longest / 1_000_000 + " statements=" + statements);
    }
}
