package io.paravm.core;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.BooleanArraySerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.ObjectArraySerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.StringArraySerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.PriorityQueueSerializer;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers.JdkImmutableListSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Kryo's serializers that size an array or a collection by a count read from the frame,
 * each replaced by one that first checks the count against the bytes left in the payload
 * ({@link BoundedInput}): every element takes at least one byte, so a larger count is a
 * lie. Same wire format as Kryo's.
 */
final class BoundedSerializers {

    private BoundedSerializers() {
    }

    /** Returns the bounded replacement of Kryo's default serializer {@code s} for {@code type}, or {@code s}. */
    static Serializer<?> bounded(Kryo kryo, Class<?> type, Serializer<?> s) {
        Class<?> c = s.getClass();
        if (c == CollectionSerializer.class) return new Collections();
        if (c == MapSerializer.class) return new Maps();
        if (c == PriorityQueueSerializer.class) return new PriorityQueues();
        if (c == JdkImmutableListSerializer.class) return new ImmutableLists();
        if (c == ObjectArraySerializer.class) return new ObjectArrays(kryo, type);
        if (c == StringArraySerializer.class) return new StringArrays();
        if (c == BooleanArraySerializer.class) return new BooleanArrays();
        return s;
    }

    private static void require(Input input, long count, String what) {
        if (input instanceof BoundedInput in) in.requireElements(count, 1, what);
    }

    /** Arrays start with their length + 1 (0 is null): peeks at it. */
    private static void requireArrayLength(Input input, String what) {
        if (!(input instanceof BoundedInput in)) return;
        int start = in.position();
        int lengthPlusOne = in.readVarInt(true);
        try {
            if (lengthPlusOne != 0) in.requireElements(lengthPlusOne - 1L, 1, what);
        } finally {
            in.setPosition(start);
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class Collections extends CollectionSerializer {
        @Override
        protected Collection create(Kryo kryo, Input input, Class type, int size) {
            require(input, size, "a collection");
            return super.create(kryo, input, type, size);
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class Maps extends MapSerializer {
        @Override
        protected Map create(Kryo kryo, Input input, Class type, int size) {
            require(input, size, "a map");
            return super.create(kryo, input, type, size);
        }
    }

    private static final class PriorityQueues extends PriorityQueueSerializer {
        @Override
        protected PriorityQueue create(Kryo kryo, Input input, Class<? extends PriorityQueue> type, int size) {
            require(input, size, "a priority queue");
            return super.create(kryo, input, type, size);
        }
    }

    /** {@code List.of(...)}: as Kryo's, whose class is final. */
    private static final class ImmutableLists extends CollectionSerializer<List<Object>> {
        ImmutableLists() {
            setElementsCanBeNull(false);
        }

        @Override
        protected List<Object> create(Kryo kryo, Input input, Class<? extends List<Object>> type, int size) {
            require(input, size, "a list");
            return new ArrayList<>(size);
        }

        @Override
        public List<Object> read(Kryo kryo, Input input, Class<? extends List<Object>> type) {
            List<Object> list = super.read(kryo, input, type);
            return list == null ? null : List.of(list.toArray());
        }
    }

    private static final class ObjectArrays extends ObjectArraySerializer {
        ObjectArrays(Kryo kryo, Class<?> type) {
            super(kryo, type);
        }

        @Override
        public Object[] read(Kryo kryo, Input input, Class type) {
            requireArrayLength(input, "an array");
            return super.read(kryo, input, type);
        }
    }

    private static final class StringArrays extends StringArraySerializer {
        @Override
        public String[] read(Kryo kryo, Input input, Class type) {
            requireArrayLength(input, "a string array");
            return super.read(kryo, input, type);
        }
    }

    private static final class BooleanArrays extends BooleanArraySerializer {
        @Override
        public boolean[] read(Kryo kryo, Input input, Class type) {
            requireArrayLength(input, "a boolean array");
            return super.read(kryo, input, type);
        }
    }
}
