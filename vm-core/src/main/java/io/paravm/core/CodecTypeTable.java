package io.paravm.core;

import io.paravm.VmException;
import io.paravm.spi.CodecTypes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The wire types the layers above vm-core hand down through {@link CodecTypes}, each at its
 * explicit id, and a hash of the whole table that ranks compare when they say hello (a rank
 * with another version of a module on its class path would otherwise decode garbage).
 *
 * @param types id to type, sorted by id
 * @param hash  a hash of every (id, class name) pair
 */
record CodecTypeTable(SortedMap<Integer, Class<?>> types, long hash) {

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
        return new CodecTypeTable(Collections.unmodifiableSortedMap(types), hash(types));
    }

    private static long hash(SortedMap<Integer, Class<?>> types) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            types.forEach((id, type) -> sha.update((id + "=" + type.getName() + "\n").getBytes(StandardCharsets.UTF_8)));
            byte[] d = sha.digest();
            long h = 0;
            for (int i = 0; i < Long.BYTES; i++) h = (h << 8) | (d[i] & 0xff);
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Returns the table's entries as {@code id=class} lines, for a mismatch message. */
    String describe() {
        StringBuilder b = new StringBuilder();
        types.forEach((id, type) -> b.append(b.length() == 0 ? "" : ", ").append(id).append('=').append(type.getName()));
        return b.length() == 0 ? "(none)" : b.toString();
    }
}
