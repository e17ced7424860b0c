package io.dbmigrate.runner;

import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.UpgradeResult;

/** Which way a run moves the database: the word is what results and messages say. */
public enum Direction {
    UPGRADE(UpgradeResult.UPGRADE),
    DOWNGRADE(UpgradeResult.DOWNGRADE),
    NONE(PlanResult.NONE);

    private final String word;

    Direction(String word) {
        this.word = word;
    }

    /** "upgrade", "downgrade" or "none". */
    public String word() {
        return word;
    }
}
