package io.paravm.core;

import io.paravm.HostAdded;
import io.paravm.HostId;
import io.paravm.HostRemoved;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VmException;
import io.paravm.spi.CodecTypes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The wire types the layers above vm-core hand down through {@link CodecTypes}, each at its
 * explicit id, and a hash of every wire type's layout, vm-core's own included, that ranks
 * compare when they say hello (a rank with another version of a module on its class path
 * would otherwise decode garbage).
 *
 * @param types id to type, sorted by id
 * @param hash  a hash of every wire type's id, class name and layout ({@link #layout})
 */
record CodecTypeTable(SortedMap<Integer, Class<?>> types, long hash) {

    /** vm-core's own wire types, at ids below {@link CodecTypes#FIRST_ID}. */
    static final Map<Integer, Class<?>> CORE_TYPES = Map.of(100, TaskId.class, 101, HostId.class,
            102, TaskResult.class, 103, TaskExit.class, 104, TaskExit.Reason.class, 105, HostAdded.class,
            106, HostRemoved.class, 107, SpawnRequest.class, 108, Hello.class);

    /**
     * Loads every {@link CodecTypes} provider visible to {@code loader} and checks their ids.
     *
     * @param loader the class loader of the VM's rank
     * @return the table
     * @throws VmException naming the providers when an id is out of range or claimed twice
     */
    static CodecTypeTable load(ClassLoader loader) {
        SortedMap<Integer, Class<?>> types = new TreeMap<>();
        Map<Integer, String> owners = new TreeMap<>();
        try {
            for (CodecTypes provider : ServiceLoader.load(CodecTypes.class, loader)) {
                String owner = provider.getClass().getName();
                for (Map.Entry<Integer, Class<?>> e : provider.types().entrySet()) {
                    int id = e.getKey();
                    if (id < CodecTypes.FIRST_ID || id > CodecTypes.LAST_ID) {
                        throw new VmException(owner + " registers " + e.getValue().getName() + " at id " + id
                                + ", outside [" + CodecTypes.FIRST_ID + ", " + CodecTypes.LAST_ID
                                + "]; give it an id in that range");
                    }
                    String before = owners.putIfAbsent(id, owner);
                    if (before != null) {
                        throw new VmException("codec id " + id + " is claimed by " + before + " for "
                                + types.get(id).getName() + " and by " + owner + " for " + e.getValue().getName()
                                + "; give one of them another id in [" + CodecTypes.FIRST_ID + ", "
                                + CodecTypes.LAST_ID + "]");
                    }
                    types.put(id, e.getValue());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new VmException("a " + CodecTypes.class.getName() + " provider on the class path does not load: "
                    + e.getMessage() + "; remove the broken jar or fix its META-INF/services entry", e);
        }
        return new CodecTypeTable(Collections.unmodifiableSortedMap(types), hash(withCore(types)));
    }

    /** Every wire type, vm-core's and the providers', by id. */
    SortedMap<Integer, Class<?>> all() {
        return withCore(types);
    }

    private static SortedMap<Integer, Class<?>> withCore(SortedMap<Integer, Class<?>> types) {
        SortedMap<Integer, Class<?>> all = new TreeMap<>(CORE_TYPES);
        all.putAll(types);
        return all;
    }

    /**
     * What a rank must agree on to read a type's frames: a record's components, in order, with
     * their types (a {@link WireRecordSerializer} writes just those), or an enum's constants (Kryo
     * writes the ordinal); the empty string for any other class.
     */
    static String layout(Class<?> type) {
        if (type.isRecord()) {
            return Arrays.stream(type.getRecordComponents())
                    .map(c -> c.getGenericType().getTypeName() + " " + c.getName())
                    .collect(Collectors.joining(", ", "(", ")"));
        }
        if (type.isEnum()) {
            return Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return "";
    }

    private static long hash(SortedMap<Integer, Class<?>> types) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            types.forEach((id, type) -> sha.update((id + "=" + type.getName() + layout(type) + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            byte[] d = sha.digest();
            long h = 0;
            for (int i = 0; i < Long.BYTES; i++) h = (h << 8) | (d[i] & 0xff);
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Returns every wire type, vm-core's included, as {@code id=class(layout)} entries joined by
     * {@code "; "}, for a rank to send with its hello ({@link #onlyIn}).
     */
    String describe() {
        return all().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().getName() + layout(e.getValue()))
                .collect(Collectors.joining(ENTRY_SEPARATOR));
    }

    private static final String ENTRY_SEPARATOR = "; ";

    /**
     * Returns the entries of {@code described} that {@code other} lacks, for a mismatch message
     * that names only what differs; {@code (none)} if there are none.
     *
     * @param described a {@link #describe()}
     * @param other     another rank's {@link #describe()}
     */
    static String onlyIn(String described, String other) {
        if (described == null) return "(none)";
        Set<String> others = other == null ? Set.of() : new HashSet<>(Arrays.asList(other.split(ENTRY_SEPARATOR)));
        String only = Arrays.stream(described.split(ENTRY_SEPARATOR)).filter(e -> !others.contains(e))
                .collect(Collectors.joining(ENTRY_SEPARATOR));
        return only.isEmpty() ? "(none)" : only;
    }
}
