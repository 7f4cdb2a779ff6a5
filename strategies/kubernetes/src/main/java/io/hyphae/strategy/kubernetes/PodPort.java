package io.hyphae.strategy.kubernetes;

import java.util.regex.Pattern;

/** The port a seed carries: a container port looked up by name on each pod, or one fixed number. */
public sealed interface PodPort {

    /** An IANA service name, as Kubernetes allows for container port names. */
    Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");

    /** A container port named {@code name} in the pod spec; pods without one are skipped. */
    record Named(String name) implements PodPort {
        public Named {
            if (!PORT_NAME.matcher(name).matches() || !name.matches(".*[a-z].*") || name.contains("--")) {
                throw new IllegalArgumentException("'" + name + "' is not a valid container port name"
                        + " (1 to 15 lower-case letters, digits and '-', at least one letter)");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The same port on every pod. */
    record Numbered(int number) implements PodPort {
        public Numbered {
            if (number < 1 || number > 65535) {
                throw new IllegalArgumentException("port must be within 1..65535, was " + number);
            }
        }

        @Override
        public String toString() {
            return Integer.toString(number);
        }
    }

    /** A number when {@code text} is all digits, a name otherwise. */
    static PodPort parse(String text) {
        String s = text.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            try {
                return new Numbered(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port must be within 1..65535, was " + s);
            }
        }
        return new Named(s);
    }
}
