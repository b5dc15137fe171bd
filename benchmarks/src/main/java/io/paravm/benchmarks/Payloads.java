package io.paravm.benchmarks;

/**
 * The payloads named in {@code @Param}s: {@code bytes-N} (a {@code byte[]} of N bytes),
 * {@code doubles-N} (a {@code double[]} of N bytes), {@code record} (a {@link SmallRecord},
 * which travels through Kryo).
 */
public final class Payloads {

    private Payloads() {
    }

    /** A new payload for {@code spec}. */
    public static Object of(String spec) {
        if (spec.equals("record")) return new SmallRecord(42, 3.14159, "small");
        int n = bytes(spec);
        if (spec.startsWith("bytes-")) {
            byte[] a = new byte[n];
            for (int i = 0; i < n; i++) a[i] = (byte) i;
            return a;
        }
        if (spec.startsWith("doubles-")) {
            double[] a = new double[n / 8];
            for (int i = 0; i < a.length; i++) a[i] = i;
            return a;
        }
        throw new IllegalArgumentException("payload '" + spec + "' is not bytes-N, doubles-N or record");
    }

    /** The payload's size in bytes, or -1 for {@code record} (its Kryo size is not fixed here). */
    public static int bytes(String spec) {
        if (spec.equals("record")) return -1;
        int dash = spec.indexOf('-');
        if (dash < 0) throw new IllegalArgumentException("payload '" + spec + "' is not bytes-N, doubles-N or record");
        return Integer.parseInt(spec.substring(dash + 1));
    }
}
