package io.paravm.transport.mpi;

import io.paravm.EngineFailureException;
import io.paravm.VmException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into one MPI implementation's C library, typed by its {@link MpiAbi}: handles
 * ({@code MPI_Comm}, {@code MPI_Datatype}, ...) are {@code long}s on the Java side whatever
 * their C type. Every call's return code is checked; a failure throws
 * {@link EngineFailureException} carrying {@code MPI_Error_string}'s text.
 *
 * <p>Two calls are critical (a critical call holds off the JVM's safepoints while it runs, and
 * saves the thread-state change of a plain downcall): {@link #improbe}, which only polls, and
 * {@link #mrecv}, which receives a message already matched by it, so neither waits on a peer.
 * {@link #mrecv} is the only call that takes a heap segment. Every other call takes off-heap
 * memory, and the non-blocking {@link #isend} never gets a heap segment, since the array could
 * move after the call returns.
 *
 * <pre>{@code
 * MpiLibrary mpi = MpiLibrary.load(new MpiChoice(MpiAbi.MPICH, "libmpich.so.12"));
 * int provided = mpi.initThread(MpiAbi.MPICH.threadSerialized());
 * mpi.send(segment, 8, 1, 7);
 * }</pre>
 */
final class MpiLibrary {

    private static final int MPI_SUCCESS = 0;
    private static final int RTLD_NOW = 2;
    private static final int RTLD_GLOBAL = 0x100;
    /** MPI_MAX_LIBRARY_VERSION_STRING of the implementations known (MPICH's 8192 is the larger). */
    private static final int MAX_LIBRARY_VERSION = 8192;
    /**
     * Set in this process's environment before the library loads, unless already set: UCX
     * (which MPICH and Open MPI may use) installs handlers for SIGSEGV and SIGBUS when it loads,
     * and the JVM raises those signals on purpose (null checks, safepoint polls); with UCX's
     * handlers a rank dies at the first one, reporting a segmentation fault.
     */
    private static final java.util.Map<String, String> JVM_SAFE_ENVIRONMENT = java.util.Map.of("UCX_ERROR_SIGNALS", "");
    /** Marks a parameter that is an MPI handle: {@code void *} or {@code int} by implementation. */
    private static final ValueLayout HANDLE = JAVA_LONG.withName("mpi-handle");

    private final MpiAbi abi;
    private final String library;
    /** The predefined handles this transport uses. */
    private final long commWorld;
    private final long byteType;
    private final long errorsReturn;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment errorText;
    private final MemorySegment errorLength;

    private final MethodHandle getLibraryVersion;
    private final MethodHandle initThread;
    private final MethodHandle finalized;
    private final MethodHandle finalizeMpi;
    private final MethodHandle commSetErrhandler;
    private final MethodHandle commRank;
    private final MethodHandle commSize;
    private final MethodHandle getProcessorName;
    private final MethodHandle send;
    private final MethodHandle recv;
    private final MethodHandle isend;
    private final MethodHandle test;
    private final MethodHandle improbe;
    private final MethodHandle mrecvCritical;
    private final MethodHandle iprobe;
    private final MethodHandle getCount;
    private final MethodHandle errorString;
    private final MethodHandle abort;

    private MpiLibrary(MpiAbi abi, String library, SymbolLookup symbols) {
        this.abi = abi;
        this.library = library;
        Linker linker = Linker.nativeLinker();
        Linker.Option[] plain = {};
        Linker.Option[] critical = {Linker.Option.critical(true)};
        getLibraryVersion = link(linker, symbols, "MPI_Get_library_version", plain, ADDRESS, ADDRESS);
        initThread = link(linker, symbols, "MPI_Init_thread", plain, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        finalized = link(linker, symbols, "MPI_Finalized", plain, ADDRESS);
        finalizeMpi = link(linker, symbols, "MPI_Finalize", plain);
        commSetErrhandler = link(linker, symbols, "MPI_Comm_set_errhandler", plain, HANDLE, HANDLE);
        commRank = link(linker, symbols, "MPI_Comm_rank", plain, HANDLE, ADDRESS);
        commSize = link(linker, symbols, "MPI_Comm_size", plain, HANDLE, ADDRESS);
        getProcessorName = link(linker, symbols, "MPI_Get_processor_name", plain, ADDRESS, ADDRESS);
        send = link(linker, symbols, "MPI_Send", plain, ADDRESS, JAVA_INT, HANDLE, JAVA_INT, JAVA_INT, HANDLE);
        recv = link(linker, symbols, "MPI_Recv", plain, ADDRESS, JAVA_INT, HANDLE, JAVA_INT, JAVA_INT, HANDLE, ADDRESS);
        isend = link(linker, symbols, "MPI_Isend", plain, ADDRESS, JAVA_INT, HANDLE, JAVA_INT, JAVA_INT, HANDLE, ADDRESS);
        test = link(linker, symbols, "MPI_Test", plain, ADDRESS, ADDRESS, ADDRESS);
        // Critical (no thread-state change, no safepoint in it): MPI_Improbe never waits on a peer,
        // it polls; a receive spins on it.
        improbe = link(linker, symbols, "MPI_Improbe", critical, JAVA_INT, JAVA_INT, HANDLE, ADDRESS, ADDRESS, ADDRESS);
        mrecvCritical = link(linker, symbols, "MPI_Mrecv", critical, ADDRESS, JAVA_INT, HANDLE, ADDRESS, ADDRESS);
        iprobe = link(linker, symbols, "MPI_Iprobe", plain, JAVA_INT, JAVA_INT, HANDLE, ADDRESS, ADDRESS);
        getCount = link(linker, symbols, "MPI_Get_count", plain, ADDRESS, HANDLE, ADDRESS);
        errorString = link(linker, symbols, "MPI_Error_string", plain, JAVA_INT, ADDRESS, ADDRESS);
        abort = link(linker, symbols, "MPI_Abort", plain, HANDLE, JAVA_INT);
        commWorld = handle(symbols, abi.commWorld());
        byteType = handle(symbols, abi.byteType());
        errorsReturn = handle(symbols, abi.errorsReturn());
        errorText = arena.allocate(abi.maxErrorString() + 1L);
        errorLength = arena.allocate(JAVA_INT);
    }

    /**
     * Loads the chosen library, with its symbols global (Open MPI's plug-ins, which it loads
     * itself, resolve MPI's symbols in it), and links the calls this transport makes.
     *
     * @param choice the implementation and the library's file or soname
     * @return the library, MPI not started
     * @throws VmException if the library does not load or lacks a call, naming what to do
     */
    static MpiLibrary load(MpiChoice choice) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        MethodHandle dlsym = linker.downcallHandle(libc.find("dlsym").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(), FunctionDescriptor.of(ADDRESS));
        MethodHandle setenv = linker.downcallHandle(libc.find("setenv").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        MemorySegment lib;
        try (Arena call = Arena.ofConfined()) {
            for (var e : JVM_SAFE_ENVIRONMENT.entrySet()) {
                int rc = (int) setenv.invokeExact(call.allocateFrom(e.getKey()), call.allocateFrom(e.getValue()), 0);
                if (rc != 0) throw new VmException("setenv(" + e.getKey() + ") failed before loading " + choice.library());
            }
            lib = (MemorySegment) dlopen.invokeExact(call.allocateFrom(choice.library()), RTLD_NOW | RTLD_GLOBAL);
            if (lib.equals(MemorySegment.NULL)) {
                MemorySegment why = (MemorySegment) dlerror.invokeExact();
                throw new VmException("no MPI library: " + choice.library() + " did not load ("
                        + (why.equals(MemorySegment.NULL) ? "no reason given" : why.reinterpret(4096).getString(0))
                        + "); the loader looked in LD_LIBRARY_PATH (" + System.getenv("LD_LIBRARY_PATH")
                        + "), /etc/ld.so.cache and the system's library folders (/lib, /usr/lib); install "
                        + choice.abi().displayName() + "'s library (Debian: " + packageHint(choice.abi())
                        + "), or name the library file with -D" + MpiProperties.LIBRARY_PROP_NAME + "=FILE or "
                        + MpiProperties.LIBRARY_ENV_NAME);
            }
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new VmException("loading " + choice.library() + " failed: " + e, e);
        }
        SymbolLookup symbols = name -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment at = (MemorySegment) dlsym.invokeExact(lib, call.allocateFrom(name));
                return at.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(at);
            } catch (Throwable e) {
                return Optional.empty();
            }
        };
        return new MpiLibrary(choice.abi(), choice.library(), symbols);
    }

    private static String packageHint(MpiAbi abi) {
        return abi == MpiAbi.MPICH ? "apt-get install mpich libmpich12" : "apt-get install openmpi-bin libopenmpi3";
    }

    private MethodHandle link(Linker linker, SymbolLookup symbols, String name, Linker.Option[] options,
                              MemoryLayout... params) {
        MemorySegment at = symbols.find(name).orElseThrow(() -> new VmException(library + " has no " + name
                + ": it is not an MPI 3 library of " + abi.displayName() + "; name the right one with -D"
                + MpiProperties.LIBRARY_PROP_NAME + "=FILE"));
        MemoryLayout handleLayout = abi.pointerHandles() ? ADDRESS : JAVA_INT;
        MemoryLayout[] cParams = params.clone();
        for (int i = 0; i < cParams.length; i++) if (cParams[i] == HANDLE) cParams[i] = handleLayout;
        MethodHandle mh = linker.downcallHandle(at, FunctionDescriptor.of(JAVA_INT, cParams), options);
        // Give every handle parameter the Java type long, whatever its C type.
        MethodType javaType = mh.type();
        for (int i = 0; i < params.length; i++) if (params[i] == HANDLE) javaType = javaType.changeParameterType(i, long.class);
        if (abi.pointerHandles()) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] == HANDLE) mh = MethodHandles.filterArguments(mh, i, OF_ADDRESS);
            }
            return mh.asType(javaType);
        }
        return MethodHandles.explicitCastArguments(mh, javaType); // long to int: MPICH's handles fit an int
    }

    private static final MethodHandle OF_ADDRESS;

    static {
        try {
            OF_ADDRESS = MethodHandles.lookup().findStatic(MemorySegment.class, "ofAddress",
                    MethodType.methodType(MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long handle(SymbolLookup symbols, MpiAbi.Handle h) {
        if (h.symbol() == null) return h.value();
        return symbols.find(h.symbol()).orElseThrow(() -> new VmException("the MPI library has no " + h.symbol()
                + "; it is not the implementation it claims to be")).address();
    }

    /** Returns the implementation this library is of. */
    MpiAbi abi() {
        return abi;
    }

    /** Returns {@code MPI_COMM_WORLD}. */
    long commWorld() {
        return commWorld;
    }

    /** {@code MPI_Get_library_version}; callable before MPI starts. */
    String libraryVersion() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment text = call.allocate(MAX_LIBRARY_VERSION + 1L);
            MemorySegment len = call.allocate(JAVA_INT);
            check((int) getLibraryVersion.invokeExact(text, len), "MPI_Get_library_version");
            return text.getString(0).trim();
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("MPI_Get_library_version", e);
        }
    }

    /** {@code MPI_Init_thread(NULL, NULL, required, &provided)}; returns the level provided. */
    int initThread(int required) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment provided = call.allocate(JAVA_INT);
            check((int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, required, provided), "MPI_Init_thread");
            return provided.get(JAVA_INT, 0);
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("MPI_Init_thread", e);
        }
    }

    /** {@code MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN)}: errors come back as codes, not an abort. */
    void errorsReturn() {
        try {
            check((int) commSetErrhandler.invokeExact(commWorld, errorsReturn), "MPI_Comm_set_errhandler");
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("MPI_Comm_set_errhandler", e);
        }
    }

    /** {@code MPI_Comm_rank(MPI_COMM_WORLD)}. */
    int rank() {
        return worldQuery(commRank, "MPI_Comm_rank");
    }

    /** {@code MPI_Comm_size(MPI_COMM_WORLD)}. */
    int size() {
        return worldQuery(commSize, "MPI_Comm_size");
    }

    private int worldQuery(MethodHandle mh, String call) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) mh.invokeExact(commWorld, out), call);
            return out.get(JAVA_INT, 0);
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed(call, e);
        }
    }

    /** {@code MPI_Get_processor_name}. */
    String processorName() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(abi.maxProcessorName() + 1L);
            MemorySegment len = a.allocate(JAVA_INT);
            check((int) getProcessorName.invokeExact(name, len), "MPI_Get_processor_name");
            return name.getString(0);
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("MPI_Get_processor_name", e);
        }
    }

    /** {@code MPI_Send} of {@code count} bytes of off-heap memory on {@code MPI_COMM_WORLD}. */
    void send(MemorySegment buffer, int count, int destination, int tag) {
        int rc;
        try {
            rc = (int) send.invokeExact(buffer, count, byteType, destination, tag, commWorld);
        } catch (Throwable e) {
            throw failed("MPI_Send", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Send of " + count + " bytes to rank " + destination + ", tag " + tag);
    }

    /** {@code MPI_Recv} of at most {@code count} bytes into off-heap memory on {@code MPI_COMM_WORLD}. */
    void recv(MemorySegment buffer, int count, int source, int tag, MemorySegment status) {
        int rc;
        try {
            rc = (int) recv.invokeExact(buffer, count, byteType, source, tag, commWorld, status);
        } catch (Throwable e) {
            throw failed("MPI_Recv", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Recv of " + count + " bytes from rank " + source + ", tag " + tag);
    }

    /**
     * {@code MPI_Isend} of {@code count} bytes of off-heap memory; the request is written to
     * {@code request}. The memory must stay until {@link #test} says the send is done.
     */
    void isend(MemorySegment buffer, int count, int destination, int tag, MemorySegment request) {
        int rc;
        try {
            rc = (int) isend.invokeExact(buffer, count, byteType, destination, tag, commWorld, request);
        } catch (Throwable e) {
            throw failed("MPI_Isend", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Isend of " + count + " bytes to rank " + destination + ", tag " + tag);
    }

    /** {@code MPI_Test}: whether the request is done (it is then freed). */
    boolean test(MemorySegment request, MemorySegment flag, MemorySegment status) {
        int rc;
        try {
            rc = (int) test.invokeExact(request, flag, status);
        } catch (Throwable e) {
            throw failed("MPI_Test", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Test");
        return flag.get(JAVA_INT, 0) != 0;
    }

    /**
     * {@code MPI_Improbe} on {@code MPI_COMM_WORLD}: whether a message waits; if so it is
     * matched (only {@link #mrecv} can take it now) and {@code status} describes it.
     */
    boolean improbe(int source, int tag, MemorySegment flag, MemorySegment message, MemorySegment status) {
        int rc;
        try {
            rc = (int) improbe.invokeExact(source, tag, commWorld, flag, message, status);
        } catch (Throwable e) {
            throw failed("MPI_Improbe", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Improbe from " + source + ", tag " + tag);
        return flag.get(JAVA_INT, 0) != 0;
    }

    /**
     * {@code MPI_Mrecv} of a matched message into a heap array or off-heap memory (a critical
     * call: the message is already matched, so the call only copies, never waits on a peer).
     */
    void mrecv(MemorySegment heapOrNative, int count, MemorySegment message, MemorySegment status) {
        int rc;
        try {
            rc = (int) mrecvCritical.invokeExact(heapOrNative, count, byteType, message, status);
        } catch (Throwable e) {
            throw failed("MPI_Mrecv", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Mrecv of " + count + " bytes");
    }

    /** {@code MPI_Iprobe} on {@code MPI_COMM_WORLD}: whether a message waits (it stays unmatched). */
    boolean iprobe(int source, int tag, MemorySegment flag, MemorySegment status) {
        int rc;
        try {
            rc = (int) iprobe.invokeExact(source, tag, commWorld, flag, status);
        } catch (Throwable e) {
            throw failed("MPI_Iprobe", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Iprobe from " + source + ", tag " + tag);
        return flag.get(JAVA_INT, 0) != 0;
    }

    /**
     * The bytes a received or probed message holds, read from {@code status} as the
     * implementation's table lays it out: what {@code MPI_Get_count(status, MPI_BYTE)} returns,
     * without a call into the library (one fewer per frame received).
     */
    int statusByteCount(MemorySegment status) {
        long count;
        if (abi.statusCountSplit()) {
            long high = status.get(JAVA_INT, abi.statusCount() + 4) >>> 1; // past the cancelled bit
            count = Integer.toUnsignedLong(status.get(JAVA_INT, abi.statusCount())) | (high << 32);
        } else {
            count = status.get(JAVA_LONG, abi.statusCount());
        }
        if (count < 0 || count > Integer.MAX_VALUE) {
            throw new VmException(abi.displayName() + " reports a message of " + count + " bytes, past the 2 GiB frame limit");
        }
        return (int) count;
    }

    /** {@code MPI_Get_count(status, MPI_BYTE)}. */
    int byteCount(MemorySegment status, MemorySegment count) {
        int rc;
        try {
            rc = (int) getCount.invokeExact(status, byteType, count);
        } catch (Throwable e) {
            throw failed("MPI_Get_count", e);
        }
        if (rc != MPI_SUCCESS) throw error(rc, "MPI_Get_count");
        return count.get(JAVA_INT, 0);
    }

    /** {@code MPI_Finalized}. */
    boolean isFinalized() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(JAVA_INT);
            check((int) finalized.invokeExact(flag), "MPI_Finalized");
            return flag.get(JAVA_INT, 0) != 0;
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("MPI_Finalized", e);
        }
    }

    /** {@code MPI_Finalize}. */
    void finalizeMpi() {
        try {
            check((int) finalizeMpi.invokeExact(), "MPI_Finalize");
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("MPI_Finalize", e);
        }
    }

    /** {@code MPI_Abort(MPI_COMM_WORLD, code)}: ends every rank of the job. */
    void abort(int code) {
        try {
            check((int) abort.invokeExact(commWorld, code), "MPI_Abort");
        } catch (VmException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw failed("MPI_Abort", e);
        }
    }

    /** Returns the source rank an {@code MPI_Status} names. */
    int statusSource(MemorySegment status) {
        return status.get(JAVA_INT, abi.statusSource());
    }

    /** {@code MPI_Error_string(code)}; never throws. */
    String errorString(int code) {
        synchronized (errorText) {
            try {
                int rc = (int) errorString.invokeExact(code, errorText, errorLength);
                if (rc != MPI_SUCCESS) return "MPI error " + code + " (MPI_Error_string failed too)";
                return errorText.getString(0).trim();
            } catch (Throwable e) {
                return "MPI error " + code;
            }
        }
    }

    private void check(int rc, String call) {
        if (rc != MPI_SUCCESS) throw error(rc, call);
    }

    private EngineFailureException error(int rc, String call) {
        return new EngineFailureException(call + " failed in " + abi.displayName() + " (" + library + "): "
                + errorString(rc) + " (MPI error " + rc + ")", null);
    }

    private EngineFailureException failed(String call, Throwable e) {
        if (e instanceof Error err) throw err;
        if (e instanceof VmException vm && !(e instanceof EngineFailureException)) throw vm;
        if (e instanceof EngineFailureException efe) return efe;
        return new EngineFailureException(call + " in " + abi.displayName() + " (" + library + ") failed: " + e, e);
    }
}
