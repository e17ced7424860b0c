package io.dbmigrate.testing.kubelet;

import java.util.Map;

/**
 * Kubernetes' {@code $(VAR)} expansion in env values and args, as its third_party/forked/golang/expansion does it: a
 * reference to a defined variable is replaced, {@code $$} is an escaped {@code $}, a reference to an undefined
 * variable stays as written, and a {@code $(} that is never closed stays too while the rest is still expanded.
 */
final class VariableExpansion {

    private VariableExpansion() {
    }

    static String expand(String input, Map<String, String> variables) {
        if (input == null || input.indexOf('$') < 0) {
            return input;
        }
        StringBuilder out = new StringBuilder();
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length(); cursor++) {
            if (input.charAt(cursor) != '$' || cursor + 1 >= input.length()) {
                continue;
            }
            out.append(input, checkpoint, cursor);
            char next = input.charAt(cursor + 1);
            int close = next == '(' ? input.indexOf(')', cursor + 2) : -1;
            if (next == '$') {
                out.append('$');
                cursor += 1;
            } else if (close >= 0) {
                String name = input.substring(cursor + 2, close);
                String value = variables.get(name);
                out.append(value != null ? value : "$(" + name + ")");
                cursor = close;
            } else {
                // Not a reference (or one never closed): the $ and the character after it, as they are.
                out.append('$').append(next);
                cursor += 1;
            }
            checkpoint = cursor + 1;
        }
        return out.append(input, checkpoint, input.length()).toString();
    }
}
