package io.paravm.core;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.ByteBufferInput;

/**
 * Kryo's input over one received payload, refusing any count that claims more elements
 * than there are bytes left, before anything is allocated. Kryo itself allocates an array
 * of whatever length a frame states, so a 10-byte frame could ask for gigabytes.
 */
final class BoundedInput extends ByteBufferInput {

    /** Bytes left in this payload. */
    int remaining() {
        return limit() - position();
    }

    /** Throws unless {@code count} elements of at least {@code width} bytes each can follow. */
    void requireElements(long count, int width, String what) {
        if (count < 0 || count * width > remaining()) {
            throw new KryoException("bad payload: " + what + " claims " + count + " elements but " + remaining()
                    + " bytes follow");
        }
    }

    @Override
    public byte[] readBytes(int length) {
        requireElements(length, 1, "a byte array");
        return super.readBytes(length);
    }

    @Override
    public int[] readInts(int length) {
        requireElements(length, 4, "an int array");
        return super.readInts(length);
    }

    @Override
    public int[] readInts(int length, boolean optimizePositive) {
        requireElements(length, 1, "an int array");
        return super.readInts(length, optimizePositive);
    }

    @Override
    public long[] readLongs(int length) {
        requireElements(length, 8, "a long array");
        return super.readLongs(length);
    }

    @Override
    public long[] readLongs(int length, boolean optimizePositive) {
        requireElements(length, 1, "a long array");
        return super.readLongs(length, optimizePositive);
    }

    @Override
    public float[] readFloats(int length) {
        requireElements(length, 4, "a float array");
        return super.readFloats(length);
    }

    @Override
    public double[] readDoubles(int length) {
        requireElements(length, 8, "a double array");
        return super.readDoubles(length);
    }

    @Override
    public short[] readShorts(int length) {
        requireElements(length, 2, "a short array");
        return super.readShorts(length);
    }

    @Override
    public char[] readChars(int length) {
        requireElements(length, 2, "a char array");
        return super.readChars(length);
    }

    @Override
    public boolean[] readBooleans(int length) {
        requireElements(length, 1, "a boolean array");
        return super.readBooleans(length);
    }

    @Override
    public String readString() {
        checkUtf8Length();
        return super.readString();
    }

    @Override
    public StringBuilder readStringBuilder() {
        checkUtf8Length();
        return super.readStringBuilder();
    }

    /**
     * A UTF-8 string starts with its character count + 1 (ASCII strings have none and end
     * with a marked byte); each character takes at least one byte. Peeks at the count.
     */
    private void checkUtf8Length() {
        if (!readVarIntFlag()) return; // ASCII: read byte by byte, bounded by the bytes themselves
        int start = position();
        int count = readVarIntFlag(true);
        try {
            if (count != 0 && count != 1) requireElements(count - 1L, 1, "a string"); // 0 is null, 1 is ""
        } finally {
            setPosition(start);
        }
    }
}
