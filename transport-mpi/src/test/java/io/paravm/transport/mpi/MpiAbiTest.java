package io.paravm.transport.mpi;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every value of the {@link MpiAbi} tables, read again from the installed {@code mpi.h}
 * (Debian: libopenmpi-dev, libmpich-dev): a table that disagrees with its header would pass
 * wrong handles or read the wrong field of {@code MPI_Status}.
 */
class MpiAbiTest {

    static final Path OPEN_MPI_H = Path.of("/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h");
    static final Path MPICH_H = Path.of("/usr/include/x86_64-linux-gnu/mpich/mpi.h");

    private static String header(Path h, String pkg) throws IOException {
        assertTrue(Files.exists(h), h + " is missing: install " + pkg + " (scripts/test.sh does)");
        return Files.readString(h);
    }

    private static String define(String header, String name) {
        Matcher m = Pattern.compile("(?m)^#define\\s+" + name + "\\s+(.+?)\\s*(/\\*.*)?$").matcher(header);
        assertTrue(m.find(), "#define " + name + " is not in the header");
        return m.group(1).trim();
    }

    /** The offsets of a struct's int and size_t fields, by name, and its size as the C compiler lays it out on LP64. */
    private static Map<String, Integer> layout(String header, String opening, String closing) {
        int start = header.indexOf(opening);
        assertTrue(start >= 0, opening + " is not in the header");
        String body = header.substring(start + opening.length(), header.indexOf(closing, start));
        body = body.replaceAll("(?s)/\\*.*?\\*/", "");
        Map<String, Integer> offsets = new LinkedHashMap<>();
        int offset = 0;
        int align = 1;
        Matcher field = Pattern.compile("(int|size_t)\\s+(\\w+)\\s*;").matcher(body);
        while (field.find()) {
            int size = field.group(1).equals("int") ? 4 : 8;
            offset = (offset + size - 1) / size * size;
            offsets.put(field.group(2), offset);
            offset += size;
            align = Math.max(align, size);
        }
        offsets.put("sizeof", (offset + align - 1) / align * align);
        return offsets;
    }

    @Test
    void openMpisTableMatchesItsHeader() throws IOException {
        String h = header(OPEN_MPI_H, "libopenmpi-dev");
        MpiAbi abi = MpiAbi.OPEN_MPI;
        assertTrue(h.contains("typedef struct ompi_communicator_t *MPI_Comm;"), "MPI_Comm is a pointer");
        assertTrue(abi.pointerHandles());
        assertEquals("OMPI_PREDEFINED_GLOBAL( MPI_Comm, " + abi.commWorld().symbol() + ")", define(h, "MPI_COMM_WORLD"));
        assertEquals("OMPI_PREDEFINED_GLOBAL(MPI_Datatype, " + abi.byteType().symbol() + ")", define(h, "MPI_BYTE"));
        assertEquals("OMPI_PREDEFINED_GLOBAL(MPI_Errhandler, " + abi.errorsReturn().symbol() + ")", define(h, "MPI_ERRORS_RETURN"));
        assertEquals(abi.anySource(), Integer.parseInt(define(h, "MPI_ANY_SOURCE").split("\\s")[0]));
        assertEquals(abi.maxErrorString(), Integer.parseInt(define(h, "OPAL_MAX_ERROR_STRING")));
        assertEquals(abi.maxProcessorName(), Integer.parseInt(define(h, "OPAL_MAX_PROCESSOR_NAME")));
        // enum { MPI_THREAD_SINGLE, MPI_THREAD_FUNNELED, MPI_THREAD_SERIALIZED, MPI_THREAD_MULTIPLE }
        Matcher threads = Pattern.compile("MPI_THREAD_SINGLE,\\s*MPI_THREAD_FUNNELED,\\s*MPI_THREAD_SERIALIZED,").matcher(h);
        assertTrue(threads.find(), "the thread levels are an enum in this order");
        assertEquals(2, abi.threadSerialized());
        Map<String, Integer> status = layout(h, "struct ompi_status_public_t {", "};");
        assertStatus(abi, status);
    }

    @Test
    void mpichsTableMatchesItsHeader() throws IOException {
        String h = header(MPICH_H, "libmpich-dev");
        MpiAbi abi = MpiAbi.MPICH;
        assertTrue(h.contains("typedef int MPI_Comm;") && h.contains("typedef int MPI_Datatype;")
                && h.contains("typedef int MPI_Errhandler;") && h.contains("typedef int MPI_Message;")
                && h.contains("typedef int MPI_Request;"), "MPICH's handles are ints");
        assertTrue(!abi.pointerHandles());
        assertEquals(String.format("((MPI_Comm)0x%08x)", abi.commWorld().value()), define(h, "MPI_COMM_WORLD"));
        assertEquals(String.format("((MPI_Datatype)0x%08x)", abi.byteType().value()), define(h, "MPI_BYTE"));
        assertEquals(String.format("((MPI_Errhandler)0x%08x)", abi.errorsReturn().value()), define(h, "MPI_ERRORS_RETURN"));
        assertEquals("(" + abi.anySource() + ")", define(h, "MPI_ANY_SOURCE"));
        assertEquals(abi.threadSerialized(), Integer.parseInt(define(h, "MPI_THREAD_SERIALIZED")));
        assertEquals(abi.maxErrorString(), Integer.parseInt(define(h, "MPI_MAX_ERROR_STRING")));
        assertEquals(abi.maxProcessorName(), Integer.parseInt(define(h, "MPI_MAX_PROCESSOR_NAME")));
        assertStatus(abi, layout(h, "typedef struct MPI_Status {", "} MPI_Status;"));
    }

    private static void assertStatus(MpiAbi abi, Map<String, Integer> status) {
        assertEquals(abi.statusSource(), status.get("MPI_SOURCE"), "offset of MPI_SOURCE in " + status);
        assertEquals(abi.statusTag(), status.get("MPI_TAG"), "offset of MPI_TAG in " + status);
        assertEquals(abi.statusError(), status.get("MPI_ERROR"), "offset of MPI_ERROR in " + status);
        assertEquals(abi.statusBytes(), status.get("sizeof"), "sizeof(MPI_Status): " + status);
        if (abi.statusCountSplit()) {
            assertEquals(abi.statusCount(), status.get("count_lo"), "offset of count_lo in " + status);
            assertEquals(abi.statusCount() + 4, status.get("count_hi_and_cancelled"), "count_hi_and_cancelled follows: " + status);
        } else {
            assertEquals(abi.statusCount(), status.get("_ucount"), "offset of _ucount (a size_t) in " + status);
        }
    }

    @Test
    void eachMpiIsToldByItsOwnLauncherVariableAndLibraryText() {
        assertEquals(MpiAbi.OPEN_MPI, MpiAbi.startedBy(Map.of("OMPI_COMM_WORLD_SIZE", "2")).orElseThrow());
        assertEquals(MpiAbi.MPICH, MpiAbi.startedBy(Map.of("PMI_RANK", "0", "PMI_SIZE", "2")).orElseThrow());
        assertTrue(MpiAbi.startedBy(Map.of("HOME", "/root")).isEmpty());
        assertEquals(MpiAbi.OPEN_MPI, MpiAbi.ofLibraryVersion("Open MPI v4.1.4, package: Debian OpenMPI").orElseThrow());
        assertEquals(MpiAbi.MPICH, MpiAbi.ofLibraryVersion("MPICH Version:      4.0.2\nMPICH Release date: ...").orElseThrow());
        assertTrue(MpiAbi.ofLibraryVersion("Intel(R) MPI Library 2021.6").isEmpty());
    }
}
