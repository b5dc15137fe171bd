package io.paravm.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code paravm demo NAME}: each demo on Hazelcast (the default), checked for what a user would look at. */
class ParavmDemoIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"hazelcast, ''", "openmpi, ''", "mpj, multicore", "mpj, niodev"})
    void configShowsEveryRankWithItsProcess(String transport, String device) throws Exception {
        assumeTrue(ParavmRunner.installed(transport), transport + " is not installed here");
        ParavmRunner.Result r = device.isEmpty()
                ? ParavmRunner.run(dir, "demo", "config", "-np", "3", "--transport", transport)
                : ParavmRunner.run(dir, "demo", "config", "-np", "3", "--transport", transport, "--device", device);
        assertEquals(0, r.exit(), r.output());
        String out = r.output();
        assertTrue(out.contains("Transport   : " + transport), out);
        assertTrue(out.contains("Task ID     : 0:0"), out);
        assertTrue(Pattern.compile("(?m)^\\S+ ncpu=\\d+ free slots: \\[\\d, \\d\\]$").matcher(out).find(),
                "formatSpawnerConfig's host line with 2 free slots:\n" + out);
        for (int rank = 0; rank < 3; rank++) {
            assertTrue(Pattern.compile("(?m)^ +" + rank + " +\\S+ +[1-9]\\d* +" + (rank == 0 ? "0:0 \\(the spawner\\)" : "free")
                    + "$").matcher(out).find(), "rank " + rank + " with its pid in status():\n" + out);
        }
        assertTrue(out.contains("3 slots, 2 free"), out);
    }

    @Test
    void spawnCollectsEveryResultAndTheFailingJobsRemoteError() throws Exception {
        ParavmRunner.Result r = ParavmRunner.run(dir, "demo", "spawn", "-np", "3", "--primes", "2000");
        assertEquals(0, r.exit(), r.output());
        String out = r.output();
        assertTrue(out.contains("paravm: demo spawn on hazelcast, 3 ranks"), out);
        for (String worker : List.of("1:1", "2:2")) {
            assertTrue(Pattern.compile("Result from " + worker + " on \\S+: \\d+\\.\\d+").matcher(out).find(), out);
            assertTrue(out.contains("Task " + worker + " exited (FINISHED)"), out);
        }
        assertTrue(out.contains("Round 2: 5 jobs in"), out);
        assertTrue(out.contains("4 succeeded, 1 failed; free slots again: 2"), out);
        assertTrue(Pattern.compile("job  2 on \\d+:\\d+ *: FAILED, remotely: .*IllegalArgumentException: job 2 fails on purpose")
                .matcher(out).find(), "the remote error of the failing job:\n" + out);
    }

    @Test
    void messagingMeasuresEverySizeFromZeroBytes() throws Exception {
        ParavmRunner.Result r = ParavmRunner.run(dir, "demo", "messaging", "-np", "2", "--max-bytes", "1000000",
                "--round-trips", "100");
        assertEquals(0, r.exit(), r.output());
        for (String size : List.of("0 B", "1 B", "16 B", "256 B", "4 KB", "64 KB", "1 MB")) {
            Matcher row = Pattern.compile("(?m)^ +" + size + " +(\\d+) +(\\d+\\.\\d) +(-|\\d+\\.\\d)$").matcher(r.output());
            assertTrue(row.find(), "a row for " + size + ":\n" + r.output());
            assertTrue(Double.parseDouble(row.group(2)) > 0, "a latency for " + size + ": " + row.group());
            if (!size.equals("0 B")) assertTrue(Double.parseDouble(row.group(3)) >= 0, row.group());
        }
        assertTrue(!r.output().contains("10 MB"), "--max-bytes 1000000 stops at 1 MB");
    }

    @Test
    void mirrorGivesEveryTaskItsOwnFolderWithTheCurrentInputs() throws Exception {
        ParavmRunner.Result r = ParavmRunner.run(dir, "demo", "mirror", "-np", "3");
        assertEquals(0, r.exit(), r.output());
        String out = r.output();
        Matcher folder = Pattern.compile("(?m)^task (\\d+:\\d+) on \\S+ runs in (\\S+):\\n((?:    .*\\n)+)").matcher(out);
        Set<String> folders = new HashSet<>();
        int tasks = 0;
        while (folder.find()) {
            tasks++;
            folders.add(folder.group(2));
            assertTrue(!Path.of(folder.group(2)).startsWith(dir), "the task ran in local storage, not the spawner's directory");
            assertEquals(List.of("mirror-demo/circuit.cir (54 bytes)", "mirror-demo/models/opamp.lib (17 bytes)",
                    "mirror-demo/params.txt (8 bytes)"), folder.group(3).lines().map(String::strip).toList(), out);
        }
        assertEquals(2, tasks, "a listing from each of the 2 workers:\n" + out);
        assertEquals(2, folders.size(), "each task its own folder:\n" + out);
        assertEquals(2, Pattern.compile("(?m)^task \\d+:\\d+ reads params.txt: gain=20$").matcher(out).results().count(),
                "round 2 sees the changed input:\n" + out);
        assertEquals(2, Pattern.compile("(?m)folder after the task: removed$").matcher(out).results().count(), out);
        assertTrue(!Files.exists(dir.resolve("mirror-demo")), "the demo cleans up its inputs");
    }

    @Test
    void mandelbrotWritesThePngAndTellsTheSpeedUp() throws Exception {
        ParavmRunner.Result r = ParavmRunner.run(dir, "demo", "mandelbrot", "-np", "3", "--width", "300", "--height", "200",
                "--iterations", "500");
        assertEquals(0, r.exit(), r.output());
        BufferedImage png = ImageIO.read(dir.resolve("mandelbrot.png").toFile());
        assertTrue(png != null, "mandelbrot.png is a PNG ImageIO reads");
        assertEquals(300, png.getWidth());
        assertEquals(200, png.getHeight());
        // c = 0 is in the set (black); the corner c = -2.25 - 1.1i escapes at once (coloured)
        int inside = png.getRGB(150 + (int) Math.round(0.6 / (3.3 / 300)), 100) & 0xFFFFFF;
        assertEquals(0, inside, "the point c = 0 is in the set, drawn black");
        assertTrue((png.getRGB(0, 0) & 0xFFFFFF) != 0, "a point far outside the set is coloured");
        String out = r.output();
        assertTrue(out.contains("rows 100%"), "the progress bar reached the end:\n" + out);
        assertTrue(out.contains("Wrote mandelbrot.png (300 x 200)."), out);
        assertTrue(Pattern.compile("Wall time on 2 workers: \\d+\\.\\d\\d s .*first run").matcher(out).find(), out);
        assertTrue(Pattern.compile("Wall time on 2 workers: \\d+\\.\\d\\d s .*warm").matcher(out).find(), out);
        assertTrue(out.contains("(the same rows in one task, warm; same image)"), out);
        Matcher cold = Pattern.compile("Speed-up vs 1 worker: (\\d+\\.\\d\\d)x on 2 workers, first run").matcher(out);
        assertTrue(cold.find(), out);
        assertTrue(Double.parseDouble(cold.group(1)) > 0, cold.group());
        Matcher warm = Pattern.compile("Speed-up vs 1 worker: (\\d+\\.\\d\\d)x on 2 workers, warm \\(\\d+ processors here\\)")
                .matcher(out);
        assertTrue(warm.find(), out);
        assertTrue(Double.parseDouble(warm.group(1)) > 0, warm.group());
    }

    @Test
    void aDemoWithDashboardLogsThePagesAddressWithItsToken() throws Exception {
        ParavmRunner.Result r = ParavmRunner.run(dir, "demo", "mandelbrot", "-np", "3", "--dashboard", "--width", "150",
                "--height", "60", "--iterations", "200", "--no-baseline");
        assertEquals(0, r.exit(), r.output());
        assertTrue(Pattern.compile("ParaVM dashboard: http://127\\.0\\.0\\.1:\\d+/\\?token=[0-9a-f]{48} ").matcher(r.output())
                .find(), "the spawner logs the page's address, on loopback, with a token:\n" + r.output());
        assertTrue(r.output().contains("Wrote mandelbrot.png (150 x 60)."), r.output());
    }

    @Test
    void optimizeFindsRosenbrocksMinimum() throws Exception {
        ParavmRunner.Result r = ParavmRunner.run(dir, "demo", "optimize", "-np", "3", "--every", "50");
        assertEquals(0, r.exit(), r.output());
        String out = r.output();
        double previous = Double.POSITIVE_INFINITY;
        Matcher generation = Pattern.compile("(?m)^generation +(\\d+) +best f = (\\S+) +x = \\[(.*)]$").matcher(out);
        int lines = 0;
        while (generation.find()) {
            lines++;
            double f = Double.parseDouble(generation.group(2));
            assertTrue(f <= previous, "the best value never gets worse: " + generation.group());
            assertEquals(10, generation.group(3).split(", ").length, "a point in 10 dimensions: " + generation.group());
            previous = f;
        }
        assertTrue(lines > 5, "the best point every 50 generations:\n" + out);
        Matcher last = Pattern.compile("(?m)^Final: f = (\\S+) at x = \\[(.*)]$").matcher(out);
        assertTrue(last.find(), out);
        assertTrue(Double.parseDouble(last.group(1)) < 1e-6, "Rosenbrock's minimum is 0: " + last.group());
        for (String xi : last.group(2).split(", ")) assertEquals(1.0, Double.parseDouble(xi), 1e-3, "at (1, ..., 1): " + last.group());
    }
}
