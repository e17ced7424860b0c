package io.dbmigrate.naming;

/**
 * The name of a DatabaseMigrationSet target's DatabaseMigration: {@code <set>-<target>}, deterministic so a restarted
 * operator finds the child it made. It must be a DNS label of at most 63 characters (the child's name labels its Jobs
 * and pods): dots become dashes, and a longer name is cut and ends in a hash of set and target instead.
 */
public final class ChildNames {
    public static final int MAX = 63;
    private static final int HASH_LENGTH = 8;

    private ChildNames() {
    }

    public static String of(String setName, String target) {
        String name = (setName + "-" + target).replace('.', '-');
        if (name.length() <= MAX) {
            return name;
        }
        String hash = Sha256.hex(setName + "/" + target, HASH_LENGTH / 2);
        // The cut may leave dashes at its end: dropped, so the name never holds "--" before its hash by accident.
        String base = name.substring(0, MAX - HASH_LENGTH - 1).replaceAll("-+$", "");
        return base + "-" + hash;
    }
}
