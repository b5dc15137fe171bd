package io.paravm.benchmarks;

/**
 * A small user record: not one of the codec's fast-path types, so it goes through Kryo.
 *
 * @param id    an int
 * @param value a double
 * @param name  a short string
 */
public record SmallRecord(int id, double value, String name) {
}
