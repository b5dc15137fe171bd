package io.paravm.core;

import io.paravm.VirtualMachines;
import io.paravm.VmConfig;
import io.paravm.VmException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The classes a frame may name, and so the only ones the codec instantiates: ParaVM's own
 * ({@code io.paravm.**}), the JDK's value types, the user's packages, and nothing else.
 * A name is checked before its class is looked up, so a refused class is never loaded,
 * initialised or read.
 *
 * <p>The user's packages are those listed in {@value #ALLOW_PROP_NAME}, plus the package
 * (and its sub-packages) of the class that opened the VM, which on every rank is the
 * program's own code (every rank runs the same {@code main}).
 *
 * <p>Patterns: {@code com.acme.**} is a package and its sub-packages, {@code com.acme.*}
 * the classes of one package, {@code com.acme.Point} one class and its nested classes.
 */
final class ClassAllowList {

    /**
     * Comma-separated patterns of the classes messages, tasks and results may hold beyond
     * ParaVM's and the JDK's value types: {@code com.acme.**} (a package and its
     * sub-packages), {@code com.acme.*} (one package), {@code com.acme.Point} (one class).
     */
    static final String ALLOW_PROP_NAME = "paravm.codec.allow";
    /** Default of {@link #ALLOW_PROP_NAME}: nothing beyond the opener's package. */
    static final String ALLOW_DEFAULT = "";

    /** JDK classes allowed by name, with their nested classes. */
    private static final Set<String> JDK_CLASSES = Set.of(
            "java.lang.Object", "java.lang.Boolean", "java.lang.Byte", "java.lang.Character", "java.lang.Short",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Void",
            "java.lang.Number", "java.lang.String", "java.lang.StringBuilder", "java.lang.StringBuffer",
            "java.lang.StackTraceElement", "java.lang.Enum",
            "java.math.BigInteger", "java.math.BigDecimal", "java.math.MathContext", "java.math.RoundingMode",
            "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentLinkedQueue",
            "java.util.concurrent.ConcurrentLinkedDeque", "java.util.concurrent.ConcurrentSkipListMap",
            "java.util.concurrent.ConcurrentSkipListSet", "java.util.concurrent.CopyOnWriteArrayList",
            "java.util.concurrent.CopyOnWriteArraySet", "java.util.concurrent.LinkedBlockingQueue",
            "java.util.concurrent.LinkedBlockingDeque", "java.util.concurrent.ArrayBlockingQueue",
            "java.util.concurrent.PriorityBlockingQueue", "java.util.concurrent.TimeUnit");
    /** JDK packages whose classes are allowed (not their sub-packages). */
    private static final Set<String> JDK_PACKAGES = Set.of("java.util", "java.util.concurrent.atomic");
    /** JDK packages allowed with their sub-packages. */
    private static final List<String> JDK_TREES = List.of("java.time");
    /** Packages of ParaVM's runtime: frames of these are not "the opener". */
    private static final Set<String> RUNTIME_PACKAGES = Set.of("io.paravm", "io.paravm.spi", "io.paravm.core");

    private final List<String> trees;        // "a.b" allows a.b.X and a.b.c.Y
    private final Set<String> packages;      // "a.b" allows a.b.X only; "" the unnamed package
    private final Set<String> classes;       // "a.b.X" allows a.b.X and a.b.X$Y
    private final String userPatterns;       // as configured, for messages
    private final String openerNote;         // where the default came from, for messages
    private final ClassValue<Boolean> byClass = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            Class<?> c = type;
            while (c.isArray()) c = c.getComponentType();
            return c.isPrimitive() || permitsName(c.getName()) || isJdkThrowable(c);
        }
    };

    private ClassAllowList(List<String> patterns, String userPatterns, String openerNote) {
        List<String> t = new ArrayList<>(JDK_TREES);
        t.add("io.paravm");
        Set<String> p = new LinkedHashSet<>(JDK_PACKAGES);
        Set<String> c = new LinkedHashSet<>(JDK_CLASSES);
        for (String pattern : patterns) {
            if (pattern.endsWith(".**")) t.add(pattern.substring(0, pattern.length() - 3));
            else if (pattern.endsWith(".*")) p.add(pattern.substring(0, pattern.length() - 2));
            else if (pattern.equals("*")) p.add("");
            else c.add(pattern);
        }
        this.trees = List.copyOf(t);
        this.packages = Set.copyOf(p);
        this.classes = Set.copyOf(c);
        this.userPatterns = userPatterns;
        this.openerNote = openerNote;
    }

    /** ParaVM's classes and the JDK's value types only. */
    static ClassAllowList builtIn() {
        return new ClassAllowList(List.of(), "", "");
    }

    /**
     * The given patterns besides ParaVM's classes and the JDK's value types.
     *
     * @throws VmException if a pattern is malformed
     */
    static ClassAllowList of(String patterns) {
        return new ClassAllowList(parse(patterns), patterns.trim(), "");
    }

    /**
     * The allow-list of a VM: {@value #ALLOW_PROP_NAME} from the configuration (or the system
     * property), plus the package tree of the class that is opening the VM (found on the
     * calling thread's stack).
     */
    static ClassAllowList forVm(VmConfig config) {
        String configured = config.property(ALLOW_PROP_NAME).orElse(ALLOW_DEFAULT);
        List<String> patterns = new ArrayList<>(parse(configured));
        Optional<Class<?>> opener = opener();
        String note = "";
        if (opener.isPresent()) {
            String pkg = opener.get().getPackageName();
            patterns.add(pkg.isEmpty() ? "*" : pkg + ".**");
            note = (pkg.isEmpty() ? "the unnamed package" : pkg + ".**") + " (the package of "
                    + opener.get().getName() + ", which opened the VM)";
        }
        return new ClassAllowList(patterns, configured.trim(), note);
    }

    /** The first class on the calling thread's stack that is neither ParaVM's runtime nor the JDK's. */
    static Optional<Class<?>> opener() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> !RUNTIME_PACKAGES.contains(c.getPackageName()) && !isJdk(c.getName()))
                .findFirst());
    }

    private static boolean isJdk(String name) {
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.");
    }

    private static List<String> parse(String patterns) {
        List<String> out = new ArrayList<>();
        for (String raw : patterns.split(",")) {
            String p = raw.trim();
            if (p.isEmpty()) continue;
            String body = p.endsWith(".**") ? p.substring(0, p.length() - 3) : p.endsWith(".*") ? p.substring(0, p.length() - 2) : p;
            boolean ok = p.equals("*") || !body.isEmpty();
            for (String part : body.split("\\.", -1)) {
                ok &= p.equals("*") || (!part.isEmpty() && part.chars().allMatch(ch -> Character.isJavaIdentifierPart(ch)));
            }
            if (!ok) {
                throw new VmException(ALLOW_PROP_NAME + " has a malformed entry '" + p + "'; write com.acme.** (a "
                        + "package and its sub-packages), com.acme.* (one package) or com.acme.Point (one class), "
                        + "separated by commas");
            }
            out.add(p);
        }
        return out;
    }

    /** Whether instances of {@code type} (or of its component type, for an array) may be sent and received. */
    boolean permits(Class<?> type) {
        return byClass.get(type);
    }

    /**
     * Whether a frame may name the class {@code name} (a binary name, or an array's
     * descriptor such as {@code [Lcom.acme.Point;}). Nothing of the class is loaded unless
     * it is a {@code java.*} class that may be a {@link Throwable}, which is loaded without
     * being initialised to find out.
     */
    boolean permits(String name, ClassLoader loader) {
        String element = elementName(name);
        if (element == null) return false;
        if (element.isEmpty() || permitsName(element)) return true;
        if (!element.startsWith("java.")) return false;
        try {
            return isJdkThrowable(Class.forName(element, false, loader));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean isJdkThrowable(Class<?> c) {
        return c.getName().startsWith("java.") && Throwable.class.isAssignableFrom(c);
    }

    /** The element class of an array descriptor, "" for a primitive array, null if malformed; else the name. */
    private static String elementName(String name) {
        int dims = 0;
        while (dims < name.length() && name.charAt(dims) == '[') dims++;
        if (dims == 0) return name;
        String rest = name.substring(dims);
        if (rest.length() == 1 && "ZBCSIJFD".contains(rest)) return "";
        if (rest.length() > 2 && rest.charAt(0) == 'L' && rest.endsWith(";")) return rest.substring(1, rest.length() - 1);
        return null;
    }

    private boolean permitsName(String name) {
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot);
        if (packages.contains(pkg)) return true;
        for (String tree : trees) {
            if (pkg.equals(tree) || pkg.startsWith(tree) && pkg.charAt(tree.length()) == '.') return true;
        }
        int nested = name.indexOf('$', dot + 1);
        return classes.contains(nested < 0 ? name : name.substring(0, nested));
    }

    /** Why a received frame naming {@code name} was refused, and what to do if the sender is trusted. */
    String refusalOnReceipt(String name) {
        String shown = printable(name);
        return "a received frame names class " + shown + ", which this rank does not accept, so none of its code "
                + "ran. Only ParaVM's classes, the JDK's value types and " + userPart() + " may be received. If the "
                + "sender is yours, allow the class on every rank: -D" + ALLOW_PROP_NAME + "=" + suggestion(elementName(name))
                + " (or VmConfig property " + ALLOW_PROP_NAME + ") [" + VirtualMachines.ERROR_CODES_URL + "#refused-class]";
    }

    /** Why {@code type} cannot be sent, and what to do. */
    String refusalOnSend(Class<?> type) {
        Class<?> c = type;
        while (c.isArray()) c = c.getComponentType();
        return refusalOnSend(c.getName());
    }

    /** Why the class named {@code name} cannot be sent, and what to do. */
    String refusalOnSend(String name) {
        return "class " + name + " is not among the classes ranks accept (ParaVM's, the JDK's value types and "
                + userPart() + "), so the receiver would refuse it; allow it on every rank with -D" + ALLOW_PROP_NAME
                + "=" + suggestion(name) + " (or VmConfig property " + ALLOW_PROP_NAME + ") ["
                + VirtualMachines.ERROR_CODES_URL + "#refused-class]";
    }

    private String userPart() {
        List<String> parts = new ArrayList<>();
        if (!userPatterns.isEmpty()) parts.add(ALLOW_PROP_NAME + "=" + userPatterns);
        if (!openerNote.isEmpty()) parts.add(openerNote);
        return parts.isEmpty() ? "nothing else (" + ALLOW_PROP_NAME + " is not set)" : String.join(" and ", parts);
    }

    private static String suggestion(String name) {
        if (name == null || name.isEmpty()) return "com.example.**";
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "*" : printable(name.substring(0, dot)) + ".**";
    }

    /** A name from the wire as it may be logged: bounded, without control characters. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 200; i++) {
            char ch = s.charAt(i);
            sb.append(Character.isISOControl(ch) ? '?' : ch);
        }
        if (s.length() > 200) sb.append("...");
        return sb.toString();
    }
}
